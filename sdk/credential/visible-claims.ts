/** Claims every credential shows; they can be neither withheld nor overridden by subject claims. */
export const VISIBLE_CLAIMS = ["iss", "vct", "iat", "nbf", "exp", "certificate_number"] as const;
