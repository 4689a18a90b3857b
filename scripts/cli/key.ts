import { CONNECTION_HELP, CONNECTION_OPTIONS, parse } from "./args";
import type { Command } from "./command";
import { connect } from "./connection";
import { EXIT, UsageError, out, printJson } from "./output";

const HELP = `Usage: certchain key rotate --agency <slug> [--json]   (root authority)

Generates a new signing key for the agency, registers it on chain and retires the old ones.
Certificates signed with the old keys keep verifying. Uses the root authority's token (with
--demo, the demo's root token).

${CONNECTION_HELP}`;

export const keyCommand: Command = {
  name: "key",
  help: HELP,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub !== "rotate") throw new UsageError(sub ? `unknown subcommand key ${sub} (use: key rotate)` : "use: certchain key rotate --agency <slug>");
    const { values, positionals } = parse("key rotate", rest, { ...CONNECTION_OPTIONS, json: { type: "boolean" } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}; name the agency with --agency <slug>`);
    if (!values.agency) throw new UsageError("missing --agency <slug>: whose key to rotate");
    // --agency names the target here, not whose token to use: the caller is the root authority.
    const { client } = connect({ ...values, agency: undefined }, { kind: "root" });
    const result = await client.post<{ keyId: string; retired: string[] }>(`/v1/agencies/${encodeURIComponent(values.agency)}/keys/rotate`, {});
    if (values.json) printJson(result);
    else {
      out(`new signing key of ${values.agency}: ${result.keyId}`);
      out(result.retired.length ? `retired: ${result.retired.join(", ")}` : "no key was retired");
    }
    return EXIT.OK;
  },
};
