// Imports each BPMN file with bpmn-moddle (the model layer of bpmn.io) and
// fails on any warning: unknown elements, unresolved references, bad types.
import { readFile } from "node:fs/promises";
import BpmnModdle from "bpmn-moddle";

const moddle = new BpmnModdle();
let failed = false;
for (const file of process.argv.slice(2)) {
  const xml = await readFile(file, "utf8");
  try {
    const { rootElement, warnings } = await moddle.fromXML(xml);
    const flows = rootElement.rootElements.flatMap((e) => e.flowElements || []).length;
    if (warnings.length > 0) {
      failed = true;
      console.log(`${file}: ${warnings.length} import warnings`);
      for (const w of warnings) console.log(`  ${w.message}`);
    } else {
      console.log(`${file}: imported without warnings (${flows} flow elements)`);
    }
  } catch (e) {
    failed = true;
    console.log(`${file}: does not import: ${e.message}`);
  }
}
process.exit(failed ? 1 : 0);
