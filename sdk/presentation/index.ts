export { presentCredential, disclosablePaths, type RevealPath } from "./present";
