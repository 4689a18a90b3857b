/** The agencies `npm start` adds on a fresh data directory (not in production). */
export const DEMO_AGENCIES = [
  { slug: "sh-amr", name: "上海市市场监督管理局", types: ["business-licence", "production-licence"] },
  // Signs SM2 with SM3 (国密), beside the others' Ed25519: the demo shows both suites.
  { slug: "sh-mca", name: "上海市民政局", types: ["marriage-certificate"], algorithm: "SM2" },
  { slug: "sh-notary", name: "上海市东方公证处", types: ["notarisation-receipt"] },
] as const;
