import { findTypeById } from "@certchain/sdk";
import { CONNECTION_HELP, CONNECTION_OPTIONS, parse } from "./args";
import type { Command } from "./command";
import { connect } from "./connection";
import { ApiError } from "./http-client";
import { EXIT, UsageError, out, printJson, renderTable } from "./output";

const HELP = `Usage: certchain agency list [--json]
       certchain agency add <slug> --name <name> --type <type> [--type …]   (root authority)

list  the agencies the trust registry knows, with the certificate types they may issue
add   register an agency on the registry and accredit it for its types (root token)

${CONNECTION_HELP}`;

interface AgencyView {
  id: string;
  slug: string;
  name: string;
  types: { id: string | null; vct: string | null; typeId: string }[];
  keyIds: string[];
}

async function list(argv: string[]): Promise<number> {
  const { values, positionals } = parse("agency list", argv, { ...CONNECTION_OPTIONS, json: { type: "boolean" } });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]} (see: certchain agency --help)`);
  const { client } = connect(values, { kind: "none" });
  const agencies = await client.get<AgencyView[]>("/v1/agencies");
  if (values.json) printJson(agencies);
  else {
    const typeName = (t: AgencyView["types"][number]) => (t.id ? t.id : `${t.typeId.slice(0, 10)}…`);
    out(renderTable(["SLUG", "NAME", "TYPES", "KEYS"], agencies.map((a) => [a.slug, a.name, a.types.map(typeName).join(", "), String(a.keyIds.length)])));
  }
  return EXIT.OK;
}

async function add(argv: string[]): Promise<number> {
  const { values, positionals } = parse("agency add", argv, { ...CONNECTION_OPTIONS, name: { type: "string" }, type: { type: "string", multiple: true }, json: { type: "boolean" } });
  if (positionals.length !== 1) throw new UsageError("give the new agency's slug: certchain agency add <slug> --name <name> --type <type>");
  const slug = positionals[0];
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(slug)) throw new UsageError(`the slug must be lowercase letters, digits and hyphens, got ${JSON.stringify(slug)}`);
  if (!values.name) throw new UsageError("missing --name <display name>");
  const types = values.type ?? [];
  if (types.length === 0) throw new UsageError("name at least one certificate type with --type");
  for (const type of types) if (!findTypeById(type)) throw new UsageError(`unknown certificate type ${type}`);
  const { client } = connect(values, { kind: "root" });
  try {
    const created = await client.post<unknown>("/v1/agencies", { body: { slug, name: values.name, types } });
    if (values.json) printJson(created);
    else out(`registered agency ${slug} (${values.name}) for ${types.join(", ")}`);
    return EXIT.OK;
  } catch (error) {
    // Services without the route answer 404 NOT_FOUND (or 405): say so instead of a bare 404.
    if (error instanceof ApiError && (error.status === 404 || error.status === 405) && (error.code === "NOT_FOUND" || error.code.startsWith("HTTP_"))) {
      throw new UsageError(`agency add is not supported by this service version (it has no POST /v1/agencies); the root authority registers agencies on the registry contract directly`);
    }
    throw error;
  }
}

export const agencyCommand: Command = {
  name: "agency",
  help: HELP,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === "list") return list(rest);
    if (sub === "add") return add(rest);
    throw new UsageError(sub ? `unknown subcommand agency ${sub} (use: agency list, agency add)` : "use: certchain agency list | certchain agency add (see --help)");
  },
};
