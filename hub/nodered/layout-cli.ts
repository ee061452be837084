/**
 * `npm run flows:layout [dir]`: lays out the flow files of `dir` (default flows/) with
 * hub/nodered/layout.ts and writes back only the files that change. Re-run it after merging a tab.
 */
import { resolve } from 'node:path';
import { schemaRegistry } from '../../schemas/registry.js';
import { transformers } from '../../transformers/index.js';
import { readFlowsDir, writeFlowsDir } from './flows-dir.js';
import { layoutAll, layoutCatalogue } from './layout.js';

const dir = resolve(process.argv[2] ?? 'flows');
const flows = readFlowsDir(dir);
writeFlowsDir(dir, layoutAll(flows, layoutCatalogue(schemaRegistry(), transformers)));
process.stdout.write(`laid out ${flows.filter((n) => n.type === 'tab').length} tabs in ${dir}\n`);
