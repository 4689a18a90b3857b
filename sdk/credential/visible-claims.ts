/**
 * Claims every credential shows; they can be neither withheld nor overridden by subject claims.
 * `vct#integrity` and `status` appear in format v2 credentials, `cnf` (the holder's key) in
 * holder-bound ones.
 */
export const VISIBLE_CLAIMS = ["iss", "vct", "vct#integrity", "iat", "nbf", "exp", "status", "cnf", "certificate_number"] as const;
