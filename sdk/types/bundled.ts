// The offline bundle: the Type Metadata documents of the built-in types, shipped inside the SDK.
// They are data (sdk/types/metadata/*.json); this file only gathers them, newest version of each
// type first in the order pages list them, older versions after (certificates issued under them
// keep verifying and displaying).
import businessLicence1 from "./metadata/business-licence.1.json";
import marriageCertificate1 from "./metadata/marriage-certificate.1.json";
import birthMedicalCertificate1 from "./metadata/birth-medical-certificate.1.json";
import productionLicence1 from "./metadata/production-licence.1.json";
import notarisationReceipt1 from "./metadata/notarisation-receipt.1.json";
import type { TypeMetadataDocument } from "./type-metadata";

/** Every bundled document, each type's newest version first. */
export const BUNDLED_METADATA = [
  businessLicence1,
  marriageCertificate1,
  birthMedicalCertificate1,
  productionLicence1,
  notarisationReceipt1,
] as unknown as readonly TypeMetadataDocument[];
