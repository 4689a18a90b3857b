import { CONNECTION_HELP, CONNECTION_OPTIONS, parse } from "./args";
import type { Command } from "./command";
import { connect } from "./connection";
import { ApiError } from "./http-client";
import { EXIT, UsageError, out, printJson, renderTable } from "./output";

const HELP = `Usage: certchain agency list [--json]
       certchain agency add <slug> --name <name> --type <type> [--type …]   (root authority)
       certchain agency accredit <slug> --type <type> [--from <date-time>] [--until <date-time>]   (root authority)

list      the agencies the trust registry knows, with the certificate types they may issue
add       register an agency on the registry and accredit it for its types (root token)
accredit  accredit an agency for a type (its newest version; or give the vct) from --from
          (default: at once) until --until (default: open-ended). Tokens the agency already
          holds issue the type at once: the registry, not the token, decides the types.

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

async function accredit(argv: string[]): Promise<number> {
  const { values, positionals } = parse("agency accredit", argv, { ...CONNECTION_OPTIONS, type: { type: "string" }, from: { type: "string" }, until: { type: "string" }, json: { type: "boolean" } });
  if (positionals.length !== 1) throw new UsageError("give the agency's slug: certchain agency accredit <slug> --type <type>");
  if (!values.type) throw new UsageError("missing --type <type id or vct>");
  const time = (raw: string | undefined, flag: string) => {
    if (raw === undefined) return undefined;
    if (!Number.isFinite(Date.parse(raw))) throw new UsageError(`--${flag} must be an ISO 8601 date-time, got ${JSON.stringify(raw)}`);
    return new Date(raw).toISOString();
  };
  const body = { type: values.type, ...(values.from ? { validFrom: time(values.from, "from") } : {}), ...(values.until ? { validUntil: time(values.until, "until") } : {}) };
  const { client } = connect({ ...values, agency: undefined }, { kind: "root" });
  const result = await client.post<{ agency: string; type: string; vct: string; validFrom: string; validUntil: string | null }>(`/v1/agencies/${encodeURIComponent(positionals[0])}/accreditations`, { body });
  if (values.json) printJson(result);
  else out(`accredited ${result.agency} for ${result.type} (${result.vct}) ${values.from ? `from ${result.validFrom}` : "at once"}${result.validUntil ? ` until ${result.validUntil}` : ", open-ended"}`);
  return EXIT.OK;
}

export const agencyCommand: Command = {
  name: "agency",
  help: HELP,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === "list") return list(rest);
    if (sub === "add") return add(rest);
    if (sub === "accredit") return accredit(rest);
    throw new UsageError(sub ? `unknown subcommand agency ${sub} (use: agency list, agency add, agency accredit)` : "use: certchain agency list | add | accredit (see --help)");
  },
};
