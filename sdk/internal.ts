// Everything in sdk/index.ts plus low-level helpers the server shares with the SDK.
// Not part of the public SDK surface.
export * from "./index";
export { toHex as toHexBytes, fromHex, base64urlEncode, base64urlDecode, utf8 } from "./lib/bytes";
export { sha256, keccak256 } from "./lib/hash";
export { ownValue } from "./lib/own";
