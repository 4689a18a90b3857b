import QRCode from "qrcode";
import { formatTime } from "../../display/time";
import { CONNECTION_OPTIONS, connectionHelp, intOption, parse } from "./args";
import type { Command } from "./command";
import { connect } from "./connection";
import { t, type Text } from "./i18n";
import { EXIT, UsageError, out, printJson } from "./output";

/** What POST /v1/certificates/:id/offer answers. */
interface OfferView {
  id: string;
  credential_offer_uri: string;
  offer_url: string;
  link: string;
  expires_at: string;
  tx_code?: string;
}

const HELP: Text = {
  en: `Usage: certchain offer <certificate id> [--pin] [--expires <seconds>] [--qr]

Offers one of the agency's certificates for collection into the holder's wallet (OpenID4VCI 1.0,
pre-authorized code): POST /v1/certificates/:id/offer. Prints the link that opens this service's
/wallet, and the openid-credential-offer:// URL other OpenID4VCI wallets open. The offer works
once and expires; the wallet receives the certificate bound to its device key.

Options:
  --pin                ask for a 6-digit PIN (tx_code): printed once here, to be given to the
                       holder another way (by phone, on paper); 5 wrong PINs lock the offer
  --expires <seconds>  how long the offer works [86400], from 60 to 604800
  --qr                 also draw the link as a QR code in the terminal
  --json               print the service's whole reply as JSON

{connection}`,
  "zh-CN": `用法：certchain offer <证照编号> [--pin] [--expires <秒>] [--qr]

把本机关的一张证照发给持证人收取到钱包（OpenID4VCI 1.0，预授权码）：POST /v1/certificates/:id/offer。
输出打开本服务 /wallet 的收证链接，以及其他 OpenID4VCI 钱包可打开的 openid-credential-offer:// 网址。
链接只能使用一次，到期失效；钱包收到的证照与它的设备密钥绑定。

选项：
  --pin                另设 6 位数字取证码（tx_code）：只在这里显示一次，请用其他方式（电话、纸面）
                       告诉持证人；输错 5 次链接即被锁定
  --expires <秒>       链接有效时长 [86400]，60 到 604800
  --qr                 同时在终端里画出链接的二维码
  --json               以 JSON 输出服务的完整回复

{connection}`,
};

const M = {
  oneId: { en: "give exactly one certificate id: certchain offer <id>", "zh-CN": "请给出一个证照编号：certchain offer <编号>" },
  link: { en: "Collecting link (this service's wallet): {link}", "zh-CN": "收证链接（本服务的钱包）：{link}" },
  other: { en: "For other OpenID4VCI wallets: {url}", "zh-CN": "其他 OpenID4VCI 钱包：{url}" },
  pin: { en: "PIN: {pin} (shown only now; give it to the holder another way)", "zh-CN": "取证码：{pin}（只显示这一次，请用其他方式告诉持证人）" },
  expires: { en: "Works once, until {time}", "zh-CN": "只能使用一次，有效期至 {time}" },
} satisfies Record<string, Text>;

export const offerCommand: Command = {
  name: "offer",
  get help() {
    return t(HELP, { connection: connectionHelp() });
  },
  async run(argv) {
    const { values, positionals } = parse("offer", argv, { ...CONNECTION_OPTIONS, pin: { type: "boolean" }, expires: { type: "string" }, qr: { type: "boolean" }, json: { type: "boolean" } });
    if (positionals.length !== 1) throw new UsageError(t(M.oneId));
    const body = { ...(values.pin ? { tx_code: true } : {}), ...(values.expires !== undefined ? { expires_in: intOption("expires", values.expires, 86_400, 60, 604_800) } : {}) };
    const { client } = connect(values, { kind: "agency" });
    const offer = await client.post<OfferView>(`/v1/certificates/${encodeURIComponent(positionals[0])}/offer`, { body });
    if (values.json) {
      printJson(offer);
      return EXIT.OK;
    }
    out(t(M.link, { link: offer.link }));
    out(t(M.other, { url: offer.offer_url }));
    if (offer.tx_code) out(t(M.pin, { pin: offer.tx_code }));
    out(t(M.expires, { time: formatTime(offer.expires_at) }));
    if (values.qr) out(await QRCode.toString(offer.link, { type: "terminal", small: true, errorCorrectionLevel: "M" }));
    return EXIT.OK;
  },
};
