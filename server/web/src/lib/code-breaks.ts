// Long codes (a unified social credit code, an ID number, a certificate number, a digest) break
// across lines only between their groups, never mid-group, however large the reader's text:
// "91310115 / MA1H7Q2K3R", not "91310115MA1 / H7Q2K3R".

/** GB 32100: registration authority, kind and division code (8), then organisation code and check character (10). */
const CREDIT_CODE = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;
/** GB 11643: address code (6), date of birth (8), sequence and check character (4). */
const ID_NUMBER = /^\d{17}[\dX]$/;
const TOKEN = /^[A-Za-z0-9_-]+$/;
const DOTTED = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/;

/**
 * The groups a code may break between: a credit code 8 + 10, an ID number 6 + 8 + 4, a dotted
 * number after each dot (and inside a credit code it carries), any other token of 16 or more
 * letters and digits in fours. Anything else (words, Chinese text, short values) is one group.
 */
export function codeGroups(value: string): string[] {
  if (CREDIT_CODE.test(value)) return [value.slice(0, 8), value.slice(8)];
  if (ID_NUMBER.test(value)) return [value.slice(0, 6), value.slice(6, 14), value.slice(14)];
  if (value.length >= 12 && DOTTED.test(value)) {
    const segments = value.split(".");
    return segments.flatMap((segment, i) => {
      const groups = codeGroups(segment);
      if (i < segments.length - 1) groups[groups.length - 1] += ".";
      return groups;
    });
  }
  if (value.length >= 16 && TOKEN.test(value)) return value.match(/.{1,4}/g)!;
  return [value];
}

/** The value as text with a line-break opportunity (<wbr>) between its groups. */
export function breakableText(value: string): Node {
  const groups = codeGroups(value);
  const fragment = document.createDocumentFragment();
  groups.forEach((group, i) => {
    if (i > 0) fragment.append(document.createElement("wbr"));
    fragment.append(group);
  });
  return fragment;
}
