/**
 * Whoever can edit flows must not be able to run code in the hub (security issue, finding 1): an
 * integrator deploys a `function` node that would read the key file — on a tab, on no tab (Node-RED
 * starts those as global config nodes), inside a subflow — and the deploy is refused with the reason,
 * nothing is written to `flows/`, and nothing ran. A `function` node put into `flows/` by hand stops
 * the start with a clear error. The Node-RED inside the hub has no code-running node type at all.
 */
import { expect } from 'chai';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeCredentials } from '../../hub/http/auth.js';
import { startHub } from '../../hub/main.js';
import { editorPlugin } from '../../hub/nodered/editor.js';
import { createVhost } from '../support/broker.js';
import {
  editorHubConfig,
  editorToken,
  startEditorHub,
  type EditorHub,
} from '../support/editor-hub.js';

interface NodeSet {
  readonly types: readonly string[];
}

function filesOf(dir: string): Map<string, string> {
  return new Map(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
}

describe('editor: no code execution from the flows', function () {
  this.timeout(120_000);
  let editorHub: EditorHub;
  let base: string;
  let auth: Record<string, string>;
  let marker: string;

  before(async () => {
    editorHub = await startEditorHub('hub-editor-sec', [editorPlugin]);
    const port = editorHub.hub.httpPort;
    base = `http://127.0.0.1:${String(port)}/editor`;
    await storeCredentials(editorHub.hub.store, { bcryptRounds: 4 }).addUser(
      'int1',
      'integrator password',
      'integrator',
    );
    auth = { Authorization: `Bearer ${await editorToken(port, 'int1', 'integrator password')}` };
    marker = join(editorHub.dataDir, 'pwned');
  });

  after(async () => {
    await editorHub.stop();
  });

  async function currentFlows(): Promise<{ id: string; type: string; [key: string]: unknown }[]> {
    const response = await fetch(`${base}/flows`, {
      headers: { ...auth, 'Node-RED-API-Version': 'v1' },
    });
    expect(response.status).to.equal(200);
    return (await response.json()) as { id: string; type: string }[];
  }

  function deploy(flows: unknown[]): Promise<Response> {
    return fetch(`${base}/flows`, {
      method: 'POST',
      headers: {
        ...auth,
        'content-type': 'application/json',
        'Node-RED-API-Version': 'v1',
        'Node-RED-Deployment-Type': 'full',
      },
      body: JSON.stringify(flows),
    });
  }

  it('loads no core node that runs code, touches files or the network', async () => {
    const response = await fetch(`${base}/nodes`, {
      headers: { ...auth, Accept: 'application/json' },
    });
    expect(response.status).to.equal(200);
    const types = ((await response.json()) as NodeSet[]).flatMap((set) => set.types);
    expect(types).to.include.members(['hub-in', 'hub-deliver', 'comment', 'debug', 'link in']);
    for (const refused of [
      'function',
      'exec',
      'file',
      'file in',
      'tcp in',
      'tcp out',
      'tcp request',
      'http request',
      'http in',
      'template',
      'change',
      'inject',
      'mqtt in',
      'websocket in',
      'udp out',
    ]) {
      expect(types, refused).to.not.include(refused);
    }
  });

  it('refuses a deploy with a function node on a tab, on no tab, or in a subflow', async () => {
    const flows = await currentFlows();
    const tab = flows.find((node) => node.type === 'tab');
    expect(tab).to.not.equal(undefined);
    const evil = `require('fs').writeFileSync(${JSON.stringify(marker)}, require('fs').readFileSync(${JSON.stringify(join(editorHub.dataDir, 'secret.key'))})); return msg;`;
    const placements: unknown[][] = [
      [{ id: 'evil1', type: 'function', z: tab?.id, func: evil, wires: [] }],
      [{ id: 'evil2', type: 'function', func: evil }],
      [
        { id: 'sf1', type: 'subflow', name: 'helper', in: [], out: [] },
        { id: 'evil3', type: 'function', z: 'sf1', func: evil, wires: [] },
      ],
      [{ id: 'evil4', type: 'exec', command: 'cat /etc/passwd', wires: [] }],
      [{ id: 'evil5', type: 'comment', z: tab?.id, name: '${HUB_SECRET_KEY}' }],
    ];
    const before = filesOf(editorHub.flowsDir);
    for (const extra of placements) {
      const response = await deploy([...flows, ...extra]);
      const body = await response.text();
      expect(response.status, body).to.be.within(400, 499);
      expect(body).to.match(/not allowed in the hub|would be evaluated by Node-RED/);
      expect(body).to.match(/ハブでは使えません|ハブでは値をそのまま指定してください/);
    }
    expect(filesOf(editorHub.flowsDir)).to.deep.equal(before);
    expect(existsSync(marker)).to.equal(false);
    // The editor still runs the flows it had: a harmless change deploys.
    const ok = await deploy([
      ...flows,
      { id: 'note1', type: 'comment', z: tab?.id, name: 'メモ', info: '' },
    ]);
    expect(ok.status, await ok.text()).to.be.oneOf([200, 204]);
  });

  it('refuses to start when flows/ on disk holds a function node', async () => {
    const vhost = await createVhost('hub-editor-sec-start');
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-editor-sec-start-'));
    const flowsDir = join(dataDir, 'flows');
    cpSync('flows', flowsDir, { recursive: true });
    const systems = JSON.parse(
      readFileSync(join(flowsDir, '00-systems.json'), 'utf8'),
    ) as unknown[];
    systems.push({
      id: 'evil',
      type: 'function',
      func: `require('fs').writeFileSync(${JSON.stringify(join(dataDir, 'pwned'))}, 'x')`,
    });
    writeFileSync(join(flowsDir, '00-systems.json'), JSON.stringify(systems));
    try {
      let failure: unknown;
      try {
        const hub = await startHub(editorHubConfig(vhost.url, dataDir, flowsDir), {
          plugins: [editorPlugin],
        });
        await hub.stop();
      } catch (error) {
        failure = error;
      }
      expect(failure, 'the start must fail').to.be.instanceOf(Error);
      expect((failure as { code?: string }).code).to.equal('flows_refused');
      expect((failure as Error).message).to.include('of type "function" is not allowed in the hub');
      expect((failure as Error).message).to.include('ハブでは使えません');
      expect(existsSync(join(dataDir, 'pwned'))).to.equal(false);
    } finally {
      await vhost.delete();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
