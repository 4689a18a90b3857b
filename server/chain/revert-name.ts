import { Interface } from "ethers";
import { CERTCHAIN_REGISTRY_ABI } from "@certchain/sdk";

// The registry's own errors, and those it inherits from OpenZeppelin's AccessControl (a write by
// an account without the role), which the SDK's ABI leaves out.
const registryInterface = new Interface([
  ...CERTCHAIN_REGISTRY_ABI,
  "error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)",
  "error AccessControlBadConfirmation()",
]);

/**
 * The registry's custom error a failed call reverted with (`CertchainRootAlreadyAnchored`, …),
 * or undefined when the failure was not a revert (network down, timeout). Providers report
 * reverts in different places: ethers decodes them, Hardhat puts them in the message.
 */
export function revertNameOf(error: unknown): string | undefined {
  const e = error as any;
  if (typeof e?.revert?.name === "string") return e.revert.name;
  for (const data of [e?.data, e?.info?.error?.data, e?.error?.data, e?.data?.data]) {
    if (typeof data === "string" && /^0x[0-9a-fA-F]{8}/.test(data)) {
      try {
        const parsed = registryInterface.parseError(data);
        if (parsed) return parsed.name;
      } catch {
        // not one of ours
      }
    }
  }
  const match = /reverted with custom error '(\w+)\(/.exec(String(e?.message ?? ""));
  return match?.[1];
}
