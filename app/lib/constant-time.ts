import { utf8Encode } from "./encoding";

/**
 * Compare two secrets (MACs, token hashes, password hashes) in time that depends only on the
 * length of `a`, never on where the first differing byte is. Strings are compared as UTF-8.
 *
 * Written as a plain XOR loop instead of `node:crypto`'s timingSafeEqual so it behaves the same
 * in workerd, Node and the browser, and so a length mismatch returns false without throwing.
 * Put the value whose length is public (the expected one) first.
 */
export function timingSafeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const left = typeof a === "string" ? utf8Encode(a) : a;
  const right = typeof b === "string" ? utf8Encode(b) : b;

  // On a length mismatch still walk all of `left` (against itself) so the loop's duration
  // says nothing about the content; the length difference alone makes the result false.
  const other = left.length === right.length ? right : left;
  let difference = left.length ^ right.length;
  for (let i = 0; i < left.length; i++) {
    difference |= left[i]! ^ other[i]!;
  }
  return difference === 0;
}
