/** The agencies `npm start` seeds on a fresh dev chain. */
export const DEMO_AGENCIES = [
  { slug: "sh-amr", name: "上海市市场监督管理局", types: ["business-licence", "production-licence"] },
  // Signs SM2 with SM3 (国密), beside the others' Ed25519: the demo shows both suites.
  { slug: "sh-mca", name: "上海市民政局", types: ["marriage-certificate"], algorithm: "SM2" },
  { slug: "sh-notary", name: "上海市东方公证处", types: ["notarisation-receipt"] },
] as const;

/** The chain account (index in CHAIN_MNEMONIC) of an agency's operator: 1, 2, 3 by position (0 is the root authority). */
export const operatorAccountIndex = (slug: string): number | undefined => {
  const position = DEMO_AGENCIES.findIndex((agency) => agency.slug === slug);
  return position < 0 ? undefined : position + 1;
};
