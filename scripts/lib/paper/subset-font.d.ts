// subset-font ships no types; this is the part of its API we use (README of subset-font 2.x).
declare module "subset-font" {
  function subsetFont(font: Uint8Array, text: string, options?: { targetFormat?: "sfnt" | "truetype" | "woff" | "woff2"; preserveNameIds?: number[] }): Promise<Buffer>;
  export default subsetFont;
}
