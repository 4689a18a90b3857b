/**
 * A command that will send work (or, resuming, may have nothing left to send) checks its token
 * first, with `GET /v1/tokens/self`: a token the service refuses is reported before anything is
 * done, with advice that fits where the token came from, instead of a run that "skips" every row
 * with a token nobody checked, or stops halfway saying to run it again.
 */
import { apiErrorText } from "./api-error-texts";
import type { TokenSource } from "./connection";
import { ApiError, type ApiClient } from "./http-client";
import { t, type Text } from "./i18n";
import { UsageError } from "./output";

/** Whom a token speaks for, as `GET /v1/tokens/self` says. */
export type TokenPrincipal = { kind: "root"; subject: string; tokenId: string } | { kind: "agency"; agency: string; subject: string; tokenId: string };

const M = {
  refused: { "zh-CN": "服务 {url} 拒绝了这个令牌：{reason}（{code}）。{fix}", en: "the service at {url} refused the token: {reason} ({code}). {fix}" },
  fixFlag: {
    "zh-CN": "请改正 --token 的值（npm start 会显示各演示机关的令牌，也写在 <数据目录>/demo.json 里）。",
    en: "Correct the value of --token (npm start prints the demo agencies' tokens and writes them to <data dir>/demo.json).",
  },
  fixEnv: { "zh-CN": "请改正环境变量 CERTCHAIN_TOKEN 的值，或用 --token 给出令牌。", en: "Correct the environment variable CERTCHAIN_TOKEN, or give the token with --token." },
  fixDemo: {
    "zh-CN": "演示文件里的令牌不是这个服务签发的：文件可能来自另一次 npm start。请确认 npm start 正在这个数据目录上运行，或用 --demo 指明它的数据目录。",
    en: "The demo file's token was not minted by this service: the file may be from another run of npm start. Check that npm start runs on this data directory, or name its data directory with --demo.",
  },
  notAgency: {
    "zh-CN": "这是根管理机构的令牌，不能签发证照：请使用发证机关的令牌（--token，或配合演示文件用 --agency <机关>）。",
    en: "this is the root authority's token, which does not issue certificates: use an agency's token (--token, or --agency <slug> with the demo file).",
  },
} satisfies Record<string, Text>;

const FIX: Record<TokenSource, Text> = { flag: M.fixFlag, env: M.fixEnv, demo: M.fixDemo };

/**
 * The token's principal, checked by the service. Throws a UsageError (exit 2) naming the refusal
 * and what to correct; a service too old to answer (404) is not checked here.
 */
export async function checkToken(client: ApiClient, source: TokenSource | undefined): Promise<TokenPrincipal | undefined> {
  try {
    return await client.get<TokenPrincipal>("/v1/tokens/self");
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 404 && error.code === "NOT_FOUND") return undefined;
    if (error.status !== 401 && error.status !== 403) throw error;
    const reason = apiErrorText(error.code, error.message);
    throw new UsageError(t(M.refused, { url: client.baseUrl, reason, code: error.code, fix: source ? t(FIX[source]) : "" }).trimEnd());
  }
}

/** {@link checkToken}, and the token must be an agency's: the one that issues. */
export async function checkAgencyToken(client: ApiClient, source: TokenSource | undefined): Promise<TokenPrincipal | undefined> {
  const principal = await checkToken(client, source);
  if (principal?.kind === "root") throw new UsageError(t(M.notAgency));
  return principal;
}
