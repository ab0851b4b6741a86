import { createContext, useContext } from "react";

const NonceContext = createContext<string>("");

/** Carries the per-request CSP nonce from entry.server to the <Scripts> in root. */
export const NonceProvider = NonceContext.Provider;

export function useNonce(): string {
  return useContext(NonceContext);
}
