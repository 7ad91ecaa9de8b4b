/**
 * CRC-32C (Castagnoli), the checksum record batch v2 carries over bytes 21..end.
 * The native implementation reads the caller's bytes in place, so checking a
 * subarray of a produce request copies nothing.
 */
import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/** CRC-32C of `data` as an unsigned 32-bit number (what the batch header stores). */
export function crc32c(data: Uint8Array): number {
  // The native result is already unsigned; `>>> 0` keeps that a stated fact
  // rather than an assumption about the binding.
  return nativeCrc32c(data) >>> 0;
}
