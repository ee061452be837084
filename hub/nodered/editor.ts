/**
 * The `editor` plugin: Node-RED 4 embedded at /editor in the hub's HTTP server. The flows directory
 * is the routing the engine runs — at start the plugin compiles it and applies it to the engine, and
 * every deploy is lint + compile + `engine.apply` (consumers swapped without losing in-flight
 * messages), then written to the affair files and recorded in `flow_deploys`.
 */
import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Express, RequestHandler } from 'express';
import type { Credentials, Role } from '../http/auth.js';
import { loggerFor } from '../logger.js';
import { stepQueueName } from '../broker/index.js';
import { definePlugin, serviceNames } from '../plugin.js';
import { maskText } from '../security/mask.js';
import { transformers } from '../../transformers/index.js';
import { deadLetterServiceOf } from '../dead-letters/http.js';
import express from 'express';
import type { StepSpec } from '../engine/step.js';
import {
  coreNodeFiles,
  hubModuleFolders,
  uncoveredSteps,
  withoutNodePrefix,
  type FlowNode,
  type FlowProblem,
} from './flow-model.js';
import { connectorSinks } from './context.js';
import { deadLetterBridge } from './dead-letters-bridge.js';
import { sagaBridge } from './sagas-bridge.js';
import { createSagaService } from '../saga/service.js';
import { sagasOfFlows } from '../saga/definition.js';
import { readFlowsDir } from './flows-dir.js';
import { pausesBridge, traceBridge } from './trace-bridge.js';
import { createLiveStatus, type LiveStatus } from './live-status.js';
import { createTraceService } from '../trace/service.js';
import { pauseServiceOf } from '../health/plugin.js';
import { editorLoginGuard } from './editor-login.js';
import { retiredQueueLine } from './routing.js';
import { hubStorage } from './storage.js';
import { registerVersionsApi } from './versions-api.js';
import { createTap, type Tap, type TapHandle } from './tap.js';

/** The part of the `node-red` module the hub uses (it ships no types for Node-RED 4). */
interface NodeRedApi {
  init(server: Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly httpAdmin: Express;
  readonly auth: { needsPermission(permission: string): RequestHandler };
  readonly events: { emit(event: string, data: unknown): void };
}

/** A user as Node-RED's adminAuth sees it; Node-RED hands this object on as `req.user`. */
export interface EditorUserInfo {
  readonly username: string;
  readonly permissions: '*' | 'read';
  /** The hub role, for the hub's own routes under the editor (the dead-letter bridge). */
  readonly role: Role;
}

function userInfo(username: string, role: Role): EditorUserInfo {
  return { username, permissions: permissionsOf(role), role };
}

/** Node-RED permissions per hub role: integrators edit and deploy, the others only look. */
export function permissionsOf(role: Role): '*' | 'read' {
  return role === 'integrator' ? '*' : 'read';
}

/**
 * Node-RED's custom adminAuth over the hub's users (hub_users, bcrypt): no default user, so the
 * editor shows nothing before a login. Node-RED asks `users()` on every request with a token, and
 * the answer is read from hub_users each time: a user disabled or given another role with `hub users`
 * is refused or changed at once, and a session kept across a restart still knows its role.
 */
export function editorAdminAuth(credentials: Credentials) {
  return {
    type: 'credentials',
    async users(username: string): Promise<EditorUserInfo | null> {
      const role = await credentials.roleOf(username);
      return role === undefined ? null : userInfo(username, role);
    },
    async authenticate(username: string, password: string): Promise<EditorUserInfo | null> {
      const user = await credentials.verifyUser(username, password);
      return user === undefined ? null : userInfo(user.username, user.role);
    },
  };
}

/** Node-RED's credential secret, derived from the hub's current key (never stored). */
export function credentialSecretOf(encryptionKey: Buffer): string {
  return createHash('sha256')
    .update('juki-hub/node-red-credentials')
    .update(encryptionKey)
    .digest('hex');
}

const levelNames: Readonly<
  Record<number, 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'>
> = {
  10: 'fatal',
  20: 'error',
  30: 'warn',
  40: 'info',
  50: 'debug',
  60: 'trace',
};

interface NodeRedLogMessage {
  readonly level: number;
  readonly msg?: unknown;
  readonly type?: string;
  readonly id?: string;
}

/** A step as one line of the deploy dialog: its name and what it does (no data, no node ids). */
function stepLine(step: StepSpec): { name: string; route: string; does: string } {
  const output =
    step.output.kind === 'deliver'
      ? `deliver to ${step.output.system}`
      : step.output.kind === 'publish'
        ? `publish ${step.output.messageType}`
        : 'reply';
  const when = (step.when ?? [])
    .map(
      (condition) =>
        `${condition.negate === true ? 'not ' : ''}${condition.field} ${condition.op}${condition.value === undefined ? '' : ` ${condition.value}`}`,
    )
    .join(' and ');
  return {
    name: step.name,
    route: step.route,
    does: `${step.input.join(', ')}${when === '' ? '' : ` if ${when}`} → ${step.transformer === undefined ? '' : `${step.transformer} → `}${output}`,
  };
}

/** The editor plugin (`HUB_EDITOR`, default on). */
export const editorPlugin = definePlugin({
  name: 'editor',
  // The editor shows the whole hub: flows, live counts, the tap, dead letters, sign-in.
  needs: serviceNames,
  async start(context) {
    const log = loggerFor('editor');
    const { config } = context;
    // The routing (hub/nodered/routing.ts) already runs the deployed flows, editor on or off.
    if (!config.editor) return { stop: () => Promise.resolve() };
    const { routing } = context;

    const RED = createRequire(import.meta.url)('node-red') as NodeRedApi;
    const tap: Tap = createTap();
    const tapHandle: TapHandle = await tap.attach(context);
    // Live node status (issue 24 item 6): rates over the last minute and the current queue depth.
    const live: LiveStatus = createLiveStatus({
      metrics: context.metrics,
      async backlog() {
        const steps = context.engine.steps();
        const stats = await context.broker.queueStats(
          steps.map((step) => stepQueueName(step.name)),
        );
        return new Map(
          steps.map((step) => [step.name, stats.get(stepQueueName(step.name))?.messages ?? 0]),
        );
      },
    });
    const refresh = () => {
      live.sample().catch(() => undefined);
    };
    refresh();
    const timer = setInterval(refresh, 2000);
    const userDir = join(config.dataDir, 'node-red');
    const storage = hubStorage({
      flowsDir: config.flowsDir,
      userDir,
      async deploy(flows, actor) {
        await routing.deploy(flows, actor);
      },
    });
    routing.onDeployed(async () => {
      await tapHandle.rebind();
      await notifyRetired();
    });
    const hubBridge = {
      status(nodeId: string) {
        const nodesOfStep = routing.nodesOfStep();
        const steps = [...nodesOfStep]
          .filter(([, ids]) => ids.includes(nodeId))
          .map(([step]) => step);
        if (steps.length === 0) return undefined;
        return live.statusOf(steps, uncoveredSteps(context.engine.steps(), nodesOfStep));
      },
    };
    const nodeLog = loggerFor('node-red');
    RED.init(context.server, {
      httpAdminRoot: '/editor',
      httpNodeRoot: false,
      userDir,
      // nodes/: the hub palette (a Node-RED module, one folder per node); plugins/: a Node-RED
      // plugin module (the dead-letter sidebar, the deploy dialog).
      nodesDir: [join(import.meta.dirname, 'nodes'), join(import.meta.dirname, 'plugins')],
      // Only the reviewed core nodes and the hub's own modules are loaded: no function, exec, file,
      // tcp, http request, template… exists in this Node-RED, whatever a flow says
      // (hub/nodered/flow-model.ts). Node-RED matches a module by its folder's name, so the names of
      // the two folders are admitted; modules in node_modules stay out.
      nodesIncludes: [...coreNodeFiles, ...hubModuleFolders],
      functionGlobalContext: {},
      exportGlobalContextKeys: false,
      storageModule: storage,
      credentialSecret: credentialSecretOf(context.keyRing.current.encryptionKey),
      adminAuth: editorAdminAuth(context.credentials),
      externalModules: {
        palette: { allowInstall: false, allowUpload: false },
        modules: { allowInstall: false },
        autoInstall: false,
      },
      functionExternalModules: false,
      editorTheme: {
        projects: { enabled: false },
        palette: { catalogues: [], editable: false },
        tours: false,
        header: { title: 'juki-hub 連携ハブ' },
      },
      diagnostics: { enabled: false },
      runtimeState: { enabled: false },
      telemetry: { enabled: false },
      hubBridge,
      logging: {
        hub: {
          level: 'info',
          metrics: false,
          audit: false,
          handler: () => (message: NodeRedLogMessage) => {
            const level = levelNames[message.level];
            if (level === undefined) return;
            // Node-RED's own lines; masked in case a node ever puts data in one.
            const text = maskText(
              typeof message.msg === 'string' ? message.msg : String(message.msg),
            );
            nodeLog[level]({ nodeType: message.type, nodeId: message.id }, text);
          },
        },
      },
    });
    // Node-RED reloads its flows from storage (the flows directory, just rewritten) after the routing
    // switched without it: a rollback, or a deploy another replica made (issue 22). An editor still
    // open on the old version gets Node-RED's "flows changed on the server" notice.
    // Reloads run one at a time and never after stop() began: a reload (a rollback from the editor,
    // another replica's deploy) that landed after RED.stop() started Node-RED's flows again, and the
    // process's next RED.init then failed with "Cannot init without a stop" (Node-RED's runtime is a
    // process-wide singleton).
    let stopping = false;
    let reloading: Promise<void> = Promise.resolve();
    const reloadEditor = (): Promise<void> => {
      const run = reloading.then(async () => {
        if (stopping) return;
        const nodes =
          (RED as unknown as { nodes?: { loadFlows?: (forceStart?: boolean) => Promise<unknown> } })
            .nodes ?? {};
        if (typeof nodes.loadFlows === 'function') await nodes.loadFlows(true);
      });
      reloading = run.catch(() => undefined);
      return run;
    };
    registerVersionsApi(
      RED.httpAdmin,
      RED.auth.needsPermission.bind(RED.auth),
      routing,
      reloadEditor,
    );
    RED.httpAdmin.get('/hub/transformers', RED.auth.needsPermission('flows.read'), (_req, res) => {
      res.json(
        [...transformers.values()].map((t) => ({
          name: t.name,
          from: t.from,
          to: t.to,
          description: t.description,
        })),
      );
    });
    RED.httpAdmin.get('/hub/message-types', RED.auth.needsPermission('flows.read'), (_req, res) => {
      res.json(
        context.catalogue.list().map((info) => ({
          messageType: info.messageType,
          title: info.title,
          carriesMyNumber: info.carriesMyNumber,
        })),
      );
    });
    RED.httpAdmin.get('/hub/systems', RED.auth.needsPermission('flows.read'), (_req, res) => {
      res.json(
        connectorSinks().map((sink) => ({
          system: sink.system,
          allowsMyNumber: sink.allowsMyNumber,
        })),
      );
    });
    // The deploy dialog (plugins/deploy.html): what the flows in the editor would change in the
    // routing, or why they would be refused — before anything is deployed.
    RED.httpAdmin.post(
      '/hub/deploy/preview',
      RED.auth.needsPermission('flows.write'),
      express.json({ limit: '10mb' }),
      (req, res) => {
        const flows = (req.body as { flows?: unknown } | undefined)?.flows;
        if (!Array.isArray(flows)) {
          res.status(400).json({
            error: { message: 'flows must be a list of nodes / flows はノードの配列です' },
          });
          return;
        }
        const nodes = flows as FlowNode[];
        const preview = routing.preview(nodes);
        const byId = new Map(nodes.map((node) => [node.id, node]));
        const shown = (problem: FlowProblem) => ({
          nodeId: problem.nodeId,
          route: problem.route,
          ...withoutNodePrefix(problem, byId),
        });
        res.json({
          problems: preview.problems.map(shown),
          warnings: preview.warnings.map(shown),
          added: preview.added.map(stepLine),
          removed: preview.removed.map(stepLine),
          changed: preview.changed.map((change) => ({
            ...stepLine(change.after),
            before: stepLine(change.before).does,
          })),
        });
      },
    );
    RED.httpAdmin.get('/hub/tap', RED.auth.needsPermission('flows.read'), (_req, res) => {
      res.json(tap.samples());
    });
    // The "Dead letters / デッドレター" sidebar: the dead-letter service as the signed-in hub user. A
    // `.read` permission lets every role in; the service refuses a replay by anyone but an operator.
    RED.httpAdmin.use(
      '/hub/dead-letters',
      RED.auth.needsPermission('hub-dead-letters.read'),
      deadLetterBridge(deadLetterServiceOf(context)),
    );
    // The "Sagas / サガ" sidebar: open multi-step cases, overdue first (hub/saga/service.ts).
    RED.httpAdmin.use(
      '/hub/sagas',
      RED.auth.needsPermission('hub-sagas.read'),
      sagaBridge(
        createSagaService({
          store: context.store,
          keyRing: context.keyRing,
          definitions: sagasOfFlows(readFlowsDir(context.config.flowsDir)),
        }),
      ),
    );
    // The "Tracking / 追跡" sidebar (issue 24): message timelines and system pauses, as the hub user.
    RED.httpAdmin.use(
      '/hub/trace',
      RED.auth.needsPermission('hub-trace.read'),
      traceBridge(
        createTraceService({
          store: context.store,
          keyRing: context.keyRing,
          steps: () => context.engine.steps(),
        }),
      ),
    );
    RED.httpAdmin.use(
      '/hub/pauses',
      RED.auth.needsPermission('hub-trace.read'),
      pausesBridge(pauseServiceOf(context)),
    );
    // The hub's rate-limited sign-in runs before Node-RED's token endpoint (editor-login.ts).
    context.app.post('/editor/auth/token', ...editorLoginGuard(context.credentials));
    context.app.use('/editor', RED.httpAdmin);
    // The hub's root is where a person starts: the editor (which asks them to sign in).
    context.app.get('/', (_req, res) => {
      res.redirect(302, '/editor/');
    });
    // A retired step's queue that still holds messages: a lasting warning in the editor (and the
    // log) naming the command that empties it, after each deploy and at start.
    async function notifyRetired(): Promise<void> {
      const waiting = (await routing.retiredQueues()).filter((queue) => (queue.messages ?? 0) > 0);
      for (const queue of waiting)
        log.warn({ queue: queue.queue, messages: queue.messages }, retiredQueueLine(queue));
      RED.events.emit('runtime-event', {
        id: 'hub-retired-queues',
        retain: true,
        payload:
          waiting.length === 0
            ? {}
            : { type: 'warning', text: waiting.map(retiredQueueLine).join('\n') },
      });
    }
    await RED.start();
    await notifyRetired().catch(() => undefined);
    // Another replica deployed and this one switched (issue 22): Node-RED reloads the flows from
    // storage (the flows directory, just rewritten), so this editor shows what runs, and an editor
    // still open on the old version gets Node-RED's "flows changed on the server" notice.
    routing.onCaughtUp(reloadEditor);
    log.info({ path: '/editor' }, 'editor running');
    return {
      async stop() {
        stopping = true;
        clearInterval(timer);
        await tapHandle.close();
        await reloading;
        await RED.stop();
      },
    };
  },
});
