import { fromHex, toHex, utf8, type Hex } from "../lib/bytes";
import { keccak256 } from "../lib/hash";

/**
 * A small Solidity ABI codec for the registry's human-readable ABI (`abi.ts`): enough types for
 * its functions and events (uint, bool, address, bytesN, bytes, string, dynamic arrays, tuples).
 * The SDK used ethers' `Interface` for this; this file is what remains of ethers after the chain
 * reads moved to plain JSON-RPC over fetch (the browser bundle lost two thirds of its size).
 * Its output is checked against ethers' in test/sdk/abi-codec.test.ts.
 */

export type AbiType =
  | { kind: "uint"; bits: number }
  | { kind: "bool" }
  | { kind: "address" }
  | { kind: "fixedBytes"; size: number }
  | { kind: "bytes" }
  | { kind: "string" }
  | { kind: "array"; of: AbiType }
  | { kind: "tuple"; components: AbiParam[] };

export interface AbiParam {
  name: string;
  type: AbiType;
  indexed?: boolean;
}

/** A function of the ABI: its 4-byte selector and its parameter lists. */
export interface AbiFunction {
  name: string;
  selector: Hex;
  inputs: AbiParam[];
  outputs: AbiParam[];
}

/** Splits at commas that are not inside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  const last = text.slice(start);
  if (last.trim() !== "" || parts.length > 0) parts.push(last);
  return parts.map((p) => p.trim());
}

function parseType(text: string): AbiType {
  if (text.endsWith("[]")) return { kind: "array", of: parseType(text.slice(0, -2)) };
  if (text.startsWith("tuple(") || text.startsWith("(")) {
    const open = text.indexOf("(");
    if (!text.endsWith(")")) throw new Error(`unsupported ABI type ${text}`);
    return { kind: "tuple", components: parseParams(text.slice(open + 1, -1)) };
  }
  let m = /^uint(\d*)$/.exec(text);
  if (m) return { kind: "uint", bits: m[1] ? Number(m[1]) : 256 };
  m = /^bytes(\d+)$/.exec(text);
  if (m) return { kind: "fixedBytes", size: Number(m[1]) };
  if (text === "bool" || text === "address" || text === "bytes" || text === "string") return { kind: text } as AbiType;
  throw new Error(`unsupported ABI type ${text}`);
}

/** `tuple(bytes32 a, uint64 b) name, bytes32 indexed leaf` → parameters. */
export function parseParams(text: string): AbiParam[] {
  return splitTopLevel(text).map((part) => {
    // The type is everything up to the last closing parenthesis (plus []), or the first word.
    const close = part.lastIndexOf(")");
    let typeEnd = close >= 0 ? close + 1 : part.search(/\s|$/);
    while (part.startsWith("[]", typeEnd)) typeEnd += 2;
    const words = part.slice(typeEnd).trim().split(/\s+/).filter(Boolean);
    const indexed = words[0] === "indexed";
    return { type: parseType(part.slice(0, typeEnd)), name: (indexed ? words[1] : words[0]) ?? "", ...(indexed ? { indexed } : {}) };
  });
}

/** The canonical form of a type, as in selectors and topics: `(bytes32,uint64)[]`. */
export function canonicalType(type: AbiType): string {
  switch (type.kind) {
    case "uint":
      return `uint${type.bits}`;
    case "fixedBytes":
      return `bytes${type.size}`;
    case "array":
      return `${canonicalType(type.of)}[]`;
    case "tuple":
      return `(${type.components.map((c) => canonicalType(c.type)).join(",")})`;
    default:
      return type.kind;
  }
}

const signatureHash = (name: string, params: AbiParam[]): Hex => toHex(keccak256(utf8(`${name}(${params.map((p) => canonicalType(p.type)).join(",")})`)));

/** Finds `function <name>(…) … returns (…)` in a human-readable ABI. */
export function abiFunction(abi: readonly string[], name: string): AbiFunction {
  const line = abi.find((l) => l.startsWith(`function ${name}(`));
  if (!line) throw new Error(`no function ${name} in the ABI`);
  const open = line.indexOf("(");
  const close = matchingParen(line, open);
  const inputsText = line.slice(open + 1, close);
  const returnsAt = line.indexOf(" returns (", close);
  const outputsText = returnsAt >= 0 ? line.slice(returnsAt + 10, matchingParen(line, returnsAt + 9)) : "";
  const inputs = parseParams(inputsText);
  return { name, selector: signatureHash(name, inputs).slice(0, 10) as Hex, inputs, outputs: parseParams(outputsText) };
}

/** The topic (keccak256 of the canonical signature) of `event <name>(…)` in a human-readable ABI. */
export function abiEventTopic(abi: readonly string[], name: string): Hex {
  const line = abi.find((l) => l.startsWith(`event ${name}(`));
  if (!line) throw new Error(`no event ${name} in the ABI`);
  const open = line.indexOf("(");
  return signatureHash(name, parseParams(line.slice(open + 1, matchingParen(line, open))));
}

function matchingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && --depth === 0) return i;
  }
  throw new Error(`unbalanced parentheses in ${text}`);
}

// ------------------------------------------------------------------ encoding

const isDynamic = (type: AbiType): boolean =>
  type.kind === "bytes" || type.kind === "string" || type.kind === "array" || (type.kind === "tuple" && type.components.some((c) => isDynamic(c.type)));

const word = (value: bigint): string => {
  if (value < 0n || value >= 1n << 256n) throw new RangeError("ABI value out of range");
  return value.toString(16).padStart(64, "0");
};

function hexBody(value: unknown, bytes?: number): string {
  if (typeof value !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(value)) throw new TypeError("ABI value must be 0x-prefixed hex bytes");
  const body = value.slice(2).toLowerCase();
  if (bytes !== undefined && body.length !== bytes * 2) throw new TypeError(`ABI value must be ${bytes} bytes`);
  return body;
}

const padRight = (body: string): string => body.padEnd(Math.ceil(body.length / 64) * 64, "0");

function encodeValue(type: AbiType, value: unknown): string {
  switch (type.kind) {
    case "uint":
      return word(BigInt(value as bigint | number));
    case "bool":
      return word(value ? 1n : 0n);
    case "address":
      return hexBody(value, 20).padStart(64, "0");
    case "fixedBytes":
      return hexBody(value, type.size).padEnd(64, "0");
    case "bytes":
    case "string": {
      const body = type.kind === "string" ? toHex(utf8(String(value))).slice(2) : hexBody(value);
      return word(BigInt(body.length / 2)) + padRight(body);
    }
    case "array": {
      const items = value as readonly unknown[];
      return word(BigInt(items.length)) + encodeSequence(items.map(() => type.of), items);
    }
    case "tuple": {
      const values = Array.isArray(value) ? value : type.components.map((c) => (value as Record<string, unknown>)[c.name]);
      return encodeSequence(
        type.components.map((c) => c.type),
        values,
      );
    }
  }
}

function encodeSequence(types: readonly AbiType[], values: readonly unknown[]): string {
  const heads: string[] = [];
  const tails: string[] = [];
  const headSize = types.reduce((size, t) => size + (isDynamic(t) ? 32 : staticSize(t)), 0);
  let tailOffset = headSize;
  types.forEach((type, i) => {
    const encoded = encodeValue(type, values[i]);
    if (isDynamic(type)) {
      heads.push(word(BigInt(tailOffset)));
      tails.push(encoded);
      tailOffset += encoded.length / 2;
    } else heads.push(encoded);
  });
  return heads.join("") + tails.join("");
}

const staticSize = (type: AbiType): number => (type.kind === "tuple" ? type.components.reduce((s, c) => s + staticSize(c.type), 0) : 32);

/** Calldata for `fn(...args)`: the selector and the encoded arguments. */
export function encodeCall(fn: AbiFunction, args: readonly unknown[]): Hex {
  if (args.length !== fn.inputs.length) throw new TypeError(`${fn.name} takes ${fn.inputs.length} arguments`);
  return `${fn.selector}${encodeSequence(
    fn.inputs.map((p) => p.type),
    args,
  )}` as Hex;
}

// ------------------------------------------------------------------ decoding

/** Reads ABI-encoded data with bounds checks: a malformed or hostile reply throws, never misreads. */
class Reader {
  constructor(private readonly hex: string) {
    if (!/^0x[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) throw new Error("ABI data is not hex");
  }
  get size(): number {
    return (this.hex.length - 2) / 2;
  }
  slice(at: number, bytes: number): string {
    if (!Number.isSafeInteger(at) || at < 0 || at + bytes > this.size) throw new Error("ABI data too short");
    return this.hex.slice(2 + at * 2, 2 + (at + bytes) * 2);
  }
  uint(at: number): bigint {
    return BigInt(`0x${this.slice(at, 32)}`);
  }
  offset(at: number): number {
    const value = this.uint(at);
    if (value > BigInt(this.size)) throw new Error("ABI offset out of range");
    return Number(value);
  }
}

function decodeValue(data: Reader, type: AbiType, at: number): unknown {
  switch (type.kind) {
    case "uint": {
      const value = data.uint(at);
      if (value >> BigInt(type.bits) !== 0n) throw new Error(`ABI uint${type.bits} out of range`);
      return value;
    }
    case "bool": {
      const value = data.uint(at);
      if (value > 1n) throw new Error("ABI bool out of range");
      return value === 1n;
    }
    case "address":
      return `0x${data.slice(at + 12, 20)}`;
    case "fixedBytes":
      return `0x${data.slice(at, type.size)}`;
    case "bytes":
    case "string": {
      const length = data.offset(at);
      const body = data.slice(at + 32, length);
      if (type.kind === "bytes") return `0x${body}`;
      return new TextDecoder().decode(fromHex(body));
    }
    case "array": {
      const length = data.offset(at);
      // Each element takes at least one word: a length beyond the data is malformed.
      if (at + 32 + length * 32 > data.size) throw new Error("ABI array longer than the data");
      return decodeSequence(data, Array<AbiType>(length).fill(type.of), at + 32);
    }
    case "tuple": {
      const values = decodeSequence(
        data,
        type.components.map((c) => c.type),
        at,
      );
      return Object.fromEntries(type.components.map((c, i) => [c.name || String(i), values[i]]));
    }
  }
}

function decodeSequence(data: Reader, types: readonly AbiType[], base: number): unknown[] {
  let head = base;
  return types.map((type) => {
    let value: unknown;
    if (isDynamic(type)) {
      value = decodeValue(data, type, base + data.offset(head));
      head += 32;
    } else {
      value = decodeValue(data, type, head);
      head += staticSize(type);
    }
    return value;
  });
}

/**
 * Decodes a call's return data into its outputs, in order; tuples become objects keyed by
 * component name, uints bigints, bytes and addresses lowercase hex.
 */
export function decodeResult(fn: AbiFunction, data: string): unknown[] {
  return decodeSequence(
    new Reader(data),
    fn.outputs.map((p) => p.type),
    0,
  );
}
