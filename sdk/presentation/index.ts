export { presentCredential } from "./present";
