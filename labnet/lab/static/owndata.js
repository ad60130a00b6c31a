// One's own data as CSV, in the Data panel: upload a file from this computer, or paste rows
// from a spreadsheet (x₁, x₂ and a label or a target: the lab's load_csv), and download the
// data set shown as CSV (export_csv). The file goes to the kernel as it is; the lab reads it
// (a text it cannot read is refused naming the line at fault, said here and in the message
// line). Nothing is read from or written to the server's disk: the same in JupyterLab and in
// the app.

import {h} from "./util.js";

export const MAX_CSV = 8 * 2 ** 20;  // bytes: the most the lab reads (labnet/csvdata.py)

export class OwnDataView {
  /** @param {import("./protocol.js").Channel} channel */
  constructor(channel) {
    this.channel = channel;
    this.picker = h("input", {class: "lab-csv-file", type: "file", hidden: true,
      accept: ".csv,.tsv,.txt,text/csv,text/plain", onchange: () => this.upload()});
    this.paste = h("textarea", {class: "lab-csv-paste", rows: 4, hidden: true,
      "aria-label": "CSV rows: x1, x2, label or target",
      placeholder: "x1,x2,label\n0.1,0.5,1\n-0.3,0.2,0"});
    this.usePaste = h("button", {class: "lab-csv-use", hidden: true,
      onclick: () => this.sendPaste()}, "Use these points");
    this.link = h("a", {class: "lab-csv-link", hidden: true});
    this.note = h("div", {class: "lab-csv-note", role: "status"});
    this.buttons = h("div", {class: "lab-row lab-wrap"},
      h("button", {class: "lab-csv-upload", title: "a CSV file from this computer: a line a "
        + "point, x1, x2 and a label (0 to 7) or a target", onclick: () => this.picker.click()},
      "Upload CSV…"),
      h("button", {class: "lab-csv-paste-open", title: "paste rows from a spreadsheet",
        onclick: () => this.togglePaste()}, "Paste"),
      h("button", {class: "lab-csv-download", title: "the data set shown, as CSV",
        onclick: () => this.channel.intent("export_csv")}, "Download CSV"));
    this.element = h("div", {class: "lab-own-data"},
      h("h4", {}, "Your own data (CSV)"), this.buttons, this.paste, this.usePaste,
      this.picker, this.link, this.note);
  }

  togglePaste() {
    const open = this.paste.hidden;
    this.paste.hidden = !open;
    this.usePaste.hidden = !open;
    if (open) this.paste.focus();
  }

  /** Send the file picked (at most MAX_CSV bytes: a bigger one is refused here, unread). */
  async upload() {
    const file = this.picker.files && this.picker.files[0];
    if (!file) return;
    this.picker.value = "";  // (the same file picked again is a new upload)
    if (file.size > MAX_CSV) {
      this.say(`${file.name} is ${(file.size / 2 ** 20).toFixed(1)} MB: the lab reads CSV `
        + `files of up to ${MAX_CSV / 2 ** 20} MB`, true);
      return;
    }
    this.say(`Reading ${file.name}...`);
    this.answered(await this.channel.intent("load_csv", {name: file.name},
      [await file.arrayBuffer()]));
  }

  async sendPaste() {
    const text = this.paste.value;
    if (!text.trim()) {
      this.say("Paste rows first: x1, x2 and a label or a target on each line", true);
      return;
    }
    this.answered(await this.channel.intent("load_csv", {text, name: "the rows pasted"}));
  }

  answered(reply) {
    if (reply.ok) {
      this.say("");
      this.paste.hidden = this.usePaste.hidden = true;
    } else {
      this.say(reply.error, true);  // (the line at fault: "line 7, column 2: ...")
    }
  }

  say(text, error = false) {
    this.note.textContent = text;
    this.note.classList.toggle("lab-error", error);
  }

  /** The data set as CSV, sent by the kernel: downloaded at once, and a link stays. */
  offer(name, bytes) {
    const url = URL.createObjectURL(new Blob([bytes], {type: "text/csv"}));
    if (this.link.href) URL.revokeObjectURL(this.link.href);
    this.link.href = url;
    this.link.download = name;
    this.link.textContent = `download ${name} again`;
    this.link.hidden = false;
    this.link.click();
  }
}
