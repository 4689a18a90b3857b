// A yes/no question in the page's own modal <dialog> (not window.confirm): it is styled and
// translated like the page, screen readers announce it as a dialog with its title and text,
// focus stays inside it, Esc cancels, and focus goes back to the button that opened it.
import { byId, fill } from "./dom";

export interface ConfirmOptions {
  title: string;
  text: string;
  /** The label of the button that goes ahead (e.g. "撤回"). */
  confirm: string;
}

/** Resolves true when the person confirms; false on Cancel or Esc. */
export function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  const dialog = byId<HTMLDialogElement>("confirm");
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  fill(byId("confirm-title"), options.title);
  fill(byId("confirm-text"), options.text);
  fill(byId("confirm-ok"), options.confirm);
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => {
        if (opener?.isConnected) opener.focus();
        resolve(dialog.returnValue === "confirm");
      },
      { once: true },
    );
    dialog.showModal();
    // The safe choice is where focus starts.
    byId("confirm-cancel").focus();
  });
}
