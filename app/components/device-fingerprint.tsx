import { useEffect, useState } from "react";

const STORAGE_KEY = "studio-store-device";

/**
 * A random id this browser keeps, sent with log-in and sign-up forms so the account can list
 * and revoke its devices. Empty without JavaScript; the server then falls back to the user agent.
 */
export function DeviceFingerprintInput() {
  const [value, setValue] = useState("");
  useEffect(() => {
    try {
      let id = window.localStorage.getItem(STORAGE_KEY);
      if (!id) {
        id = crypto.randomUUID();
        window.localStorage.setItem(STORAGE_KEY, id);
      }
      setValue(id);
    } catch {
      // Storage can be disabled (private mode); the user agent alone identifies the device then.
    }
  }, []);
  return <input type="hidden" name="fingerprint" value={value} />;
}
