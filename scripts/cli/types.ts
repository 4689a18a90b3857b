import { readJson } from "./files";
import { CONNECTION_HELP, CONNECTION_OPTIONS, parse } from "./args";
import type { Command } from "./command";
import { connect } from "./connection";
import { EXIT, UsageError, out, printJson } from "./output";

const HELP = `Usage: certchain types add <file.json> [--json]   (root authority)

add   adds a certificate type from a JSON file { "id", "typeCode", "metadata" }: SD-JWT VC
      Type Metadata without "vct" (the service assigns it), with names and claim labels in
      zh-CN and en, "certchain:claim_order" and the JSON Schema in "certchain:schema". The
      service stores it, serves it at its vct URL and registers its SHA-256 on chain. The same
      file again changes nothing; changed metadata for the same id becomes its next version.
      A bad document is refused with the JSON pointer of each fault. Then accredit agencies:
      certchain agency accredit <slug> --type <id>

${CONNECTION_HELP}`;

async function add(argv: string[]): Promise<number> {
  const { values, positionals } = parse("types add", argv, { ...CONNECTION_OPTIONS, json: { type: "boolean" } });
  if (positionals.length !== 1) throw new UsageError("give the type's file: certchain types add <file.json>");
  const body = readJson(positionals[0], "the type file");
  const { client } = connect({ ...values, agency: undefined }, { kind: "root" });
  const created = await client.post<{ id: string; vct: string; version: number; metadataUrl: string; integrity: string }>("/v1/types", { body });
  if (values.json) printJson(created);
  else {
    out(`type ${created.id}, version ${created.version}`);
    out(`  vct        ${created.vct}`);
    out(`  metadata   ${created.metadataUrl}`);
    out(`  integrity  ${created.integrity}`);
  }
  return EXIT.OK;
}

export const typesCommand: Command = {
  name: "types",
  help: HELP,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === "add") return add(rest);
    throw new UsageError(sub ? `unknown subcommand types ${sub} (use: types add)` : "use: certchain types add <file.json> (see --help)");
  },
};
