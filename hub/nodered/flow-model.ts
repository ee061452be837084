/**
 * The hub's flows as data: the Node-RED nodes of the hub palette, and how a set of flows is linted
 * and compiled into engine steps. Node-RED only edits and stores these; the engine runs what
 * `compileFlows` returns (DESIGN principle 2), so the editor, `hub flows check` and the hub's start
 * all go through this one module.
 */
import type {
  ConditionOp,
  MyNumberPermission,
  RetryPolicy,
  StepCondition,
  StepOutput,
  StepSpec,
} from '../engine/step.js';
import { calendarDay, conditionOps, permitsMyNumber } from '../engine/step.js';
import { maskText } from '../security/mask.js';
import { sagaProblems } from '../saga/definition.js';

/** One node of a Node-RED flow as stored on disk (tab, config node or flow node). */
export interface FlowNode {
  readonly id: string;
  readonly type: string;
  readonly z?: string;
  readonly wires?: readonly (readonly string[])[];
  readonly [property: string]: unknown;
}

/** The node types of the hub palette. */
export const hubNodeTypes = [
  'hub-in',
  'hub-transform',
  'hub-route',
  'hub-publish',
  'hub-deliver',
  'hub-request',
  'hub-bulk',
  'hub-system',
] as const;

/** A hub palette node type. */
export type HubNodeType = (typeof hubNodeTypes)[number];

/**
 * The reviewed allow-list of Node-RED's core node types: none of them runs code, reads or writes a
 * file, opens a socket, reads the environment or makes a request. They only draw (tab, group,
 * comment, junction), connect (link) or show (debug: no message ever travels on Node-RED's bus,
 * DESIGN principle 2, so it shows nothing but what the hub's masked tap hands the editor). Every
 * other type — `function`, `exec`, `file`, `tcp`, `http request`, `template`, `change`, a module's
 * node — is refused anywhere in a flow: on a tab, a disabled tab, a subflow, or as a global config
 * node on no tab (Node-RED starts those too). The editor only loads these core files
 * (`coreNodeFiles`), so a node that slipped past would not even have a type to run as.
 */
export const allowedCoreTypes = [
  'tab',
  'subflow',
  'group',
  'junction',
  'comment',
  'link in',
  'link out',
  'link call',
  'debug',
] as const;

/**
 * The hub's own Node-RED modules Node-RED may load (its `nodesIncludes` names a module by its
 * folder): the palette (hub/nodered/nodes, one folder per node) and the editor plugins. 'package.json'
 * lets Node-RED read a module's manifest.
 */
export const hubModuleFolders = ['nodes', 'plugins', 'package.json'] as const;

/** The core node files Node-RED may load (its `nodesIncludes`). */
export const coreNodeFiles = [
  '05-junction.js',
  '21-debug.js',
  '60-link.js',
  '90-comment.js',
] as const;

/** Node types allowed on an affair tab besides the hub palette (they compile to nothing). */
const inertTypes = new Set<string>(
  allowedCoreTypes.filter((type) => type !== 'tab' && type !== 'subflow'),
);

const allowedTypes = new Set<string>([...hubNodeTypes, ...allowedCoreTypes]);

/** Whether a node of `type` may appear anywhere in the hub's flows. */
export function isAllowedNodeType(type: string): boolean {
  // A subflow instance is `subflow:<id>`; the subflow's own nodes are checked one by one.
  return allowedTypes.has(type) || /^subflow:[A-Za-z0-9._-]+$/.test(type);
}

/**
 * Typed-input kinds that Node-RED evaluates when a flow starts (JSONata expressions, environment
 * variables): a flow property of one of these kinds would run an expression or read the process's
 * environment in the hub. The hub's nodes take literal values only.
 */
const evaluatedKinds = new Set(['jsonata', 'env', 'jsonpath']);

/** `${NAME}`: Node-RED replaces it with an environment variable in every node property. */
const envReference = /\$\{[^}]*\}/;

/**
 * The allow-list applied to every node of `flows`, whatever tab, subflow or none it sits on and
 * whether or not it is disabled: a refused type, a property Node-RED would evaluate (a JSONata or
 * environment typed input, an `env` entry of such a kind) or an environment reference `${…}`.
 */
export function checkNodeSafety(flows: readonly FlowNode[]): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const tabLabel = new Map(
    flows
      .filter((node) => node.type === 'tab' || node.type === 'subflow')
      .map((node) => [node.id, routeOfTab(node) || node.id]),
  );
  for (const node of flows) {
    const route = (node.z === undefined ? undefined : tabLabel.get(node.z)) ?? 'global';
    const refuse = (en: string, ja: string) => {
      problems.push({ route, nodeId: node.id, en, ja });
    };
    if (typeof node.type !== 'string' || !isAllowedNodeType(node.type)) {
      // The refused type is named (masked: a type is free text and could hold a number).
      const type = typeof node.type === 'string' ? maskText(node.type.slice(0, 60)) : '(none)';
      refuse(
        `node ${node.id} of type "${type}" is not allowed in the hub: the editor offers only the hub's nodes and harmless core nodes (comment, group, link, debug); put logic in a transformer`,
        `ノード ${node.id} の種類「${type}」はハブでは使えません（使えるのはハブのノードと comment・group・link・debug だけです。処理は変換器に）`,
      );
      continue;
    }
    for (const [key, value] of Object.entries(node)) {
      if (evaluatedProperty(key, value)) {
        refuse(
          `${describeNode(node)}: property ${key} would be evaluated by Node-RED (JSONata or an environment variable); the hub takes literal values only`,
          `${describeNode(node)}: 項目 ${key} は Node-RED が評価する形式（JSONata・環境変数）です。ハブでは値をそのまま指定してください`,
        );
      }
    }
  }
  return problems;
}

function evaluatedProperty(key: string, value: unknown): boolean {
  if (typeof value === 'string') {
    return (
      envReference.test(value) ||
      (key !== 'type' && /type$/i.test(key) && evaluatedKinds.has(value))
    );
  }
  if (Array.isArray(value)) return value.some((item) => evaluatedProperty(key, item));
  if (typeof value === 'object' && value !== null) {
    // An entry of a tab's, group's or subflow's `env` list: `{ name, type, value }`.
    const kind = (value as { type?: unknown }).type;
    if (typeof kind === 'string' && evaluatedKinds.has(kind)) return true;
    return Object.entries(value).some(([inner, item]) => evaluatedProperty(inner, item));
  }
  return false;
}

/** What lint needs to know about the rest of the hub. */
export interface LintContext {
  /** Message types of the catalogue. */
  has(messageType: string): boolean;
  carriesMyNumber(messageType: string): boolean;
  /** Registered transformers by name. */
  readonly transformers: ReadonlyMap<string, { readonly from: string; readonly to: string }>;
  /** Systems the hub has a connector for. */
  readonly systems: ReadonlySet<string>;
  /**
   * What each connector itself allows (its code). A `hub-system` node may narrow this but not widen
   * it: the engine would quarantine such a message at run time anyway, so deploy refuses it first.
   */
  readonly connectorPermissions?: ReadonlyMap<string, MyNumberPermission>;
}

/** One reason a set of flows is refused, in English and Japanese, naming the node (never data). */
export interface FlowProblem {
  readonly route: string;
  readonly nodeId: string;
  readonly en: string;
  readonly ja: string;
}

/** The outcome of compiling flows. */
export interface CompiledFlows {
  readonly steps: StepSpec[];
  readonly problems: FlowProblem[];
  /**
   * What compiles but deserves a look (a route whose unmatched messages no branch takes). Shown
   * after a deploy and by `hub flows check`; never refuses.
   */
  readonly warnings: FlowProblem[];
  /** Which flow nodes each step came from (for live status on the nodes). */
  readonly nodesOfStep: ReadonlyMap<string, readonly string[]>;
}

/** The route (affair) key of a tab: its label's first word, e.g. `affair-1` of `affair-1 住民異動`. */
export function routeOfTab(tab: FlowNode): string {
  const label = typeof tab['label'] === 'string' ? tab['label'] : '';
  return label.trim().split(/[\s:：]/)[0] ?? '';
}

/** The file a tab is stored in: `NN-<route>.json`, NN being the affair number (90 when none). */
export function fileOfTab(tab: FlowNode): string {
  const route = routeOfTab(tab) || tab.id;
  const digits = /(\d+)/.exec(route)?.[1];
  const prefix = digits === undefined ? '90' : digits.padStart(2, '0');
  return `${prefix}-${route}.json`;
}

/** The file holding the nodes that are on no tab (the `hub-system` config nodes). */
export const systemsFile = '00-systems.json';

/** A string property of a node, trimmed; '' when absent. */
export function text(node: FlowNode, key: string): string {
  const value = node[key];
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

function listOf(node: FlowNode, key: string): string[] {
  const value = node[key];
  const raw = Array.isArray(value) ? value.map(String) : text(node, key).split(',');
  return raw.map((item) => item.trim()).filter((item) => item !== '');
}

function targetsOf(node: FlowNode): string[] {
  return (node.wires ?? []).flat();
}

/** The 個人番号 permission a `hub-system` node declares. */
export function permissionOf(system: FlowNode): MyNumberPermission {
  const mode = text(system, 'myNumber');
  if (mode === 'all') return true;
  if (mode === 'routes') return { routes: listOf(system, 'myNumberRoutes') };
  return false;
}

/**
 * A problem's text without its leading node description (`hub-deliver "x" (id): `), for the editor,
 * which names the node by its own label and selects it; the CLI keeps the full text.
 */
export function withoutNodePrefix(
  problem: FlowProblem,
  byId: ReadonlyMap<string, FlowNode>,
): { en: string; ja: string } {
  const node = byId.get(problem.nodeId);
  if (node === undefined) return { en: problem.en, ja: problem.ja };
  const prefix = `${describeNode(node)}: `;
  const strip = (text: string) => (text.startsWith(prefix) ? text.slice(prefix.length) : text);
  return { en: strip(problem.en), ja: strip(problem.ja) };
}

function describeNode(node: FlowNode): string {
  const name = text(node, 'name');
  return name === '' ? `${node.type} ${node.id}` : `${node.type} "${name}" (${node.id})`;
}

function positiveInt(node: FlowNode, key: string): number | undefined {
  const raw = text(node, key);
  if (raw === '') return undefined;
  const value = Number(raw);
  return Number.isInteger(value) && value > 0 ? value : Number.NaN;
}

function retryOf(node: FlowNode): Partial<RetryPolicy> | undefined {
  const retry: Partial<Record<keyof RetryPolicy, number>> = {};
  for (const key of ['maxAttempts', 'initialDelayMs', 'multiplier', 'maxDelayMs'] as const) {
    const raw = text(node, `retry${key[0]?.toUpperCase() ?? ''}${key.slice(1)}`);
    if (raw !== '') retry[key] = Number(raw);
  }
  return Object.keys(retry).length === 0 ? undefined : retry;
}

function slug(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

/**
 * Lints and compiles every tab of `flows` into engine steps. A step is one path from a `hub-in`
 * through at most one `hub-transform` to one terminal node (publish, deliver, request, bulk). The
 * first path of a `hub-in` is named by its `step` property; further paths (fan-out) get the
 * terminal's target appended, so adding a branch never renames — and never empties — a live queue.
 */
export function compileFlows(flows: readonly FlowNode[], context: LintContext): CompiledFlows {
  const problems: FlowProblem[] = [];
  const warnings: FlowProblem[] = [];
  const steps: StepSpec[] = [];
  const nodesOfStep = new Map<string, string[]>();
  const byId = new Map(flows.map((node) => [node.id, node]));
  const tabs = flows.filter((node) => node.type === 'tab');
  const stepNames = new Map<string, string>();
  problems.push(...checkNodeSafety(flows));
  // A saga declared on a tab (HUB_SAGA…) must parse: the runner reads it at start.
  problems.push(...sagaProblems(flows));

  for (const tab of tabs) {
    if (tab['disabled'] === true) continue;
    const route = routeOfTab(tab);
    const problem = (node: FlowNode, en: string, ja: string) => {
      problems.push({ route: route || tab.id, nodeId: node.id, en, ja });
    };
    if (!/^[a-z0-9][a-z0-9-]*$/.test(route)) {
      problem(
        tab,
        `the tab label must start with the route name, e.g. "affair-1 …"`,
        `タブ名は経路名で始めてください（例「affair-1 …」）`,
      );
      continue;
    }
    const onTab = flows.filter((node) => node.z === tab.id);
    const reached = new Set<string>();
    for (const node of onTab) {
      if (
        !isDisabled(node, byId) && // a disabled node compiles to nothing, whatever it is
        !(hubNodeTypes as readonly string[]).includes(node.type) &&
        !inertTypes.has(node.type) &&
        isAllowedNodeType(node.type) // a refused type is already reported by checkNodeSafety
      ) {
        problem(
          node,
          `${describeNode(node)}: only hub nodes compile into routes; put logic in a transformer`,
          `${describeNode(node)}: 経路にできるのはハブのノードだけです（処理は変換器に）`,
        );
      }
      for (const target of targetsOf(node)) {
        const next = byId.get(target);
        if (next?.z !== tab.id) {
          problem(
            node,
            `${describeNode(node)}: a wire leads to a node that does not exist on this tab (${target})`,
            `${describeNode(node)}: 接続先ノード ${target} がこのタブにありません`,
          );
        } else if (next.type === 'hub-in') {
          problem(
            node,
            `${describeNode(node)}: a wire leads into a hub-in, which takes from the broker only`,
            `${describeNode(node)}: hub-in への接続はできません（hub-in はブローカーから受け取ります）`,
          );
        }
      }
    }

    for (const input of onTab.filter((node) => node.type === 'hub-in')) {
      reached.add(input.id);
      const types = listOf(input, 'messageTypes');
      const base = text(input, 'step');
      if (types.length === 0) {
        problem(
          input,
          `${describeNode(input)}: takes no message type`,
          `${describeNode(input)}: 受け取るメッセージ種別がありません`,
        );
      }
      for (const type of types.filter((type) => !context.has(type))) {
        problem(
          input,
          `${describeNode(input)}: unknown message type ${type}`,
          `${describeNode(input)}: 未登録のメッセージ種別 ${type}`,
        );
      }
      if (!/^[a-z0-9][a-z0-9._-]*$/.test(base)) {
        problem(
          input,
          `${describeNode(input)}: give the step a name (a-z, 0-9, . _ -)`,
          `${describeNode(input)}: ステップ名（英小文字・数字・. _ -）を指定してください`,
        );
      }
      // Each path with the output port taken at each of its nodes (a hub-route's port 1 is its
      // "otherwise" branch).
      const paths: { nodes: FlowNode[]; ports: number[] }[] = [];
      const walk = (node: FlowNode, path: FlowNode[], ports: number[]) => {
        const targets = (node.wires ?? []).flatMap((ids, port) =>
          ids
            .map((id) => ({ next: byId.get(id), port }))
            .filter(
              (item): item is { next: FlowNode; port: number } =>
                item.next?.z === tab.id && item.next.type !== 'hub-in',
            ),
        );
        if (targets.length === 0) {
          paths.push({ nodes: path, ports });
          return;
        }
        for (const { next, port } of targets) {
          reached.add(next.id);
          if (path.includes(next)) {
            problem(
              next,
              `${describeNode(next)}: wires form a loop`,
              `${describeNode(next)}: 接続が循環しています`,
            );
            continue;
          }
          walk(next, [...path, next], [...ports, port]);
        }
      };
      walk(input, [], []);
      const live: { conditions: readonly StepCondition[] }[] = [];
      paths.forEach(({ nodes: path, ports }, index) => {
        // A disabled node passes nothing on (as in Node-RED): a path through one runs no step.
        // Names stay by position, so disabling one branch never renames another's live queue.
        if ([input, ...path].some((node) => isDisabled(node, byId))) return;
        // ports[0] is the hub-in's own port; the port leaving path[i] is ports[i + 1].
        const compiled = compilePath(route, input, types, path, ports.slice(1), context, problem);
        if (compiled === undefined) return;
        const name = index === 0 ? base : `${base}.${compiled.suffix}`;
        const owner = stepNames.get(name);
        if (owner !== undefined) {
          problem(
            input,
            `${describeNode(input)}: step name ${name} is used twice`,
            `${describeNode(input)}: ステップ名 ${name} が重複しています`,
          );
          return;
        }
        stepNames.set(name, input.id);
        live.push({ conditions: compiled.step.when ?? [] });
        steps.push({ route, name, ...compiled.step });
        nodesOfStep.set(name, [input.id, ...path.map((node) => node.id)]);
      });
      warnings.push(...uncoveredRoutes(route, input, routeNodesOf(onTab), live, byId));
    }
    for (const node of onTab) {
      if (node.type.startsWith('hub-') && !reached.has(node.id)) {
        problem(
          node,
          `${describeNode(node)}: not connected to any hub-in (a dangling node)`,
          `${describeNode(node)}: どの hub-in にもつながっていません`,
        );
      }
    }
  }
  for (const node of flows) {
    if (node.type === 'hub-system') {
      const system = text(node, 'system');
      if (!context.systems.has(system)) {
        problems.push({
          route: 'systems',
          nodeId: node.id,
          en: `${describeNode(node)}: no connector for system ${system || '(none)'}`,
          ja: `${describeNode(node)}: 連携先 ${system || '（未指定）'} のコネクタがありません`,
        });
      }
    }
  }
  return { steps, problems, warnings, nodesOfStep };
}

/** The hub-route nodes of a tab. */
function routeNodesOf(onTab: readonly FlowNode[]): FlowNode[] {
  return onTab.filter((node) => node.type === 'hub-route');
}

/** The key of a test, to find a pair that covers every case (`= v` and `≠ v` of one field). */
function conditionKey(condition: StepCondition, negate: boolean): string {
  const flip = (negate ? 1 : 0) ^ (condition.negate === true ? 1 : 0);
  const op = condition.op === 'neq' ? 'eq' : condition.op;
  const flipped = condition.op === 'neq' ? flip ^ 1 : flip;
  return JSON.stringify([condition.field, op, condition.value ?? '', flipped]);
}

/**
 * Whether the branches of one hub-in (the conditions of its steps) take every message: one branch
 * has no condition, or two are each other's opposite (`= v` / `≠ v`, a route and its otherwise).
 */
export function branchesCover(
  branches: readonly (readonly StepCondition[] | undefined)[],
): boolean {
  if (branches.length === 0) return true;
  if (branches.some((conditions) => conditions === undefined || conditions.length === 0))
    return true;
  const singles = branches
    .map((conditions) => (conditions?.length === 1 ? conditions[0] : undefined))
    .filter((condition): condition is StepCondition => condition !== undefined);
  const keys = new Set(singles.map((condition) => conditionKey(condition, false)));
  return singles.some((condition) => keys.has(conditionKey(condition, true)));
}

/**
 * The steps whose skipped messages may be taken by no branch at all: those of a hub-in (the first
 * node of `nodesOfStep`) whose branches do not cover every case. The editor shows their skipped
 * count on the nodes; a covered hub-in's skips are only the other branch's messages.
 */
export function uncoveredSteps(
  steps: readonly StepSpec[],
  nodesOfStep: ReadonlyMap<string, readonly string[]>,
): Set<string> {
  const byInput = new Map<string, StepSpec[]>();
  for (const step of steps) {
    const input = nodesOfStep.get(step.name)?.[0] ?? step.name;
    byInput.set(input, [...(byInput.get(input) ?? []), step]);
  }
  const out = new Set<string>();
  for (const group of byInput.values()) {
    if (!branchesCover(group.map((step) => step.when))) {
      for (const step of group) out.add(step.name);
    }
  }
  return out;
}

/**
 * Routes of one hub-in whose unmatched messages no branch takes: the branches do not cover every
 * case (`branchesCover`) and the route node has no "otherwise" output wired. Such messages are
 * acknowledged as skipped — counted on the node, but easy to miss (five kiosk requests once stayed
 * "pending" that way).
 */
function uncoveredRoutes(
  route: string,
  input: FlowNode,
  routes: readonly FlowNode[],
  live: readonly { conditions: readonly StepCondition[] }[],
  byId: ReadonlyMap<string, FlowNode>,
): FlowProblem[] {
  if (branchesCover(live.map((step) => step.conditions))) return [];
  const mine = routes.filter(
    (node) => !isDisabled(node, byId) && reachesFrom(input, node, byId) && !hasOtherwise(node),
  );
  return mine.map((node) => ({
    route,
    nodeId: node.id,
    en: `${describeNode(node)}: no "otherwise" branch, and the branches of ${describeNode(input)} do not cover every case: a message no branch takes is only counted as skipped. Wire the second output (otherwise) to where such messages belong`,
    ja: `${describeNode(node)}: 「その他」の出力がなく、${describeNode(input)} の分岐がすべての場合を覆っていません。どの分岐にも当たらないメッセージは「スキップ」として数えられるだけです。2 番目の出力（その他）を行き先につないでください`,
  }));
}

function hasOtherwise(node: FlowNode): boolean {
  return (node.wires?.[1]?.length ?? 0) > 0;
}

function reachesFrom(
  start: FlowNode,
  goal: FlowNode,
  byId: ReadonlyMap<string, FlowNode>,
): boolean {
  const seen = new Set<string>();
  const stack = [start];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (node === goal) return true;
    if (seen.has(node.id)) continue;
    seen.add(node.id);
    for (const id of targetsOf(node)) {
      const next = byId.get(id);
      if (next !== undefined && next.type !== 'hub-in') stack.push(next);
    }
  }
  return false;
}

type Problem = (node: FlowNode, en: string, ja: string) => void;

/** Whether Node-RED would leave `node` out: disabled itself (`d`), or inside a disabled group. */
export function isDisabled(node: FlowNode, byId: ReadonlyMap<string, FlowNode>): boolean {
  if (node['d'] === true) return true;
  const group = typeof node['g'] === 'string' ? byId.get(node['g']) : undefined;
  return group !== undefined && group !== node && isDisabled(group, byId);
}

function compilePath(
  route: string,
  input: FlowNode,
  types: readonly string[],
  path: readonly FlowNode[],
  ports: readonly number[],
  context: LintContext,
  problem: Problem,
): { step: Omit<StepSpec, 'route' | 'name'>; suffix: string } | undefined {
  const terminal = path.at(-1);
  if (terminal === undefined) {
    problem(
      input,
      `${describeNode(input)}: sends its messages nowhere (wire it to a publish, deliver, request or bulk node)`,
      `${describeNode(input)}: 出力先がありません（publish・deliver・request・bulk に接続してください）`,
    );
    return undefined;
  }
  let current = [...types];
  let transformer: string | undefined;
  const conditions: StepCondition[] = [];
  let ok = true;
  for (const [position, node] of path.slice(0, -1).entries()) {
    if (node.type === 'hub-transform') {
      const name = text(node, 'transformer');
      const found = context.transformers.get(name);
      if (found === undefined) {
        problem(
          node,
          `${describeNode(node)}: unknown transformer ${name || '(none)'}`,
          `${describeNode(node)}: 未登録の変換器 ${name || '（未指定）'}`,
        );
        ok = false;
        continue;
      }
      if (transformer !== undefined) {
        problem(
          node,
          `${describeNode(node)}: one transformer per step; publish the intermediate type and take it with another hub-in`,
          `${describeNode(node)}: 1 ステップの変換器は 1 つです（中間の種別を publish し別の hub-in で受けてください）`,
        );
        ok = false;
      }
      const mismatched = current.filter((type) => type !== found.from);
      if (mismatched.length > 0) {
        problem(
          node,
          `${describeNode(node)}: transformer ${name} takes ${found.from} but receives ${mismatched.join(', ')}`,
          `${describeNode(node)}: 変換器 ${name} の入力は ${found.from} ですが ${mismatched.join(', ')} が届きます`,
        );
        ok = false;
      }
      transformer = name;
      current = [found.to];
    } else if (node.type === 'hub-route') {
      const field = text(node, 'field');
      const op = text(node, 'op') || 'eq';
      const value = text(node, 'value');
      const valueProblem = routeValueProblem(op, value);
      if (transformer !== undefined) {
        problem(
          node,
          `${describeNode(node)}: put the route before the transformer (conditions test the message as it arrives)`,
          `${describeNode(node)}: 振り分けは変換器の前に置いてください（条件は受信したメッセージを判定します）`,
        );
        ok = false;
      } else if (field === '' || !isConditionOp(op)) {
        problem(
          node,
          `${describeNode(node)}: needs a field and a test (=, ≠, exists, one of, starts with, <, ≤, >, ≥, before, after)`,
          `${describeNode(node)}: 項目と条件（=・≠・存在・いずれか・前方一致・<・≤・>・≥・日付より前・日付より後）を指定してください`,
        );
        ok = false;
      } else if (valueProblem !== undefined) {
        problem(
          node,
          `${describeNode(node)}: ${valueProblem.en}`,
          `${describeNode(node)}: ${valueProblem.ja}`,
        );
        ok = false;
      } else {
        // A dotted path (resident.residentType) or a JSON pointer (/resident/residentType).
        const pointer = field.startsWith('/') ? field : `/${field.split('.').join('/')}`;
        conditions.push({
          field: pointer,
          op,
          ...(op === 'exists' ? {} : { value }),
          // Leaving by the second output: the "otherwise" branch.
          ...(ports[position] === 1 ? { negate: true } : {}),
        });
      }
    } else {
      problem(
        node,
        `${describeNode(node)}: ${node.type} ends a route; nothing may follow it`,
        `${describeNode(node)}: ${node.type} は経路の終端です（後ろに接続できません）`,
      );
      ok = false;
    }
  }
  const output = outputOf(route, terminal, current, transformer, context, problem);
  if (!ok || output === undefined) return undefined;
  const retry = retryOf(input);
  const deliveryLimit = positiveInt(input, 'deliveryLimit');
  const prefetch = positiveInt(input, 'prefetch');
  for (const [key, value] of [
    ['deliveryLimit', deliveryLimit],
    ['prefetch', prefetch],
  ] as const) {
    if (Number.isNaN(value))
      problem(
        input,
        `${describeNode(input)}: ${key} must be a positive whole number`,
        `${describeNode(input)}: ${key} は正の整数にしてください`,
      );
  }
  const step: Omit<StepSpec, 'route' | 'name'> = {
    input: [...types],
    ...(conditions.length === 0 ? {} : { when: conditions }),
    ...(transformer === undefined ? {} : { transformer }),
    output: output.output,
    ...(retry === undefined ? {} : { retry }),
    ...optional('idempotencyKey', text(input, 'idempotencyKey')),
    ...optional('orderBy', text(input, 'orderBy')),
    ...optional('subject', text(input, 'subject')),
    ...optional('sagaSubject', text(input, 'sagaSubject')),
    ...(deliveryLimit === undefined || Number.isNaN(deliveryLimit) ? {} : { deliveryLimit }),
    ...(prefetch === undefined || Number.isNaN(prefetch) ? {} : { prefetch }),
  };
  return { step, suffix: output.suffix };
}

function isConditionOp(op: string): op is ConditionOp {
  return (conditionOps as readonly string[]).includes(op);
}

/** Why a route's value does not fit its test (a number for <, a calendar day for before). */
function routeValueProblem(op: string, value: string): { en: string; ja: string } | undefined {
  if (
    ['lt', 'lte', 'gt', 'gte'].includes(op) &&
    (value === '' || !Number.isFinite(Number(value)))
  ) {
    return {
      en: 'the value of a numeric test must be a number',
      ja: '数値の条件の値は数値にしてください',
    };
  }
  if ((op === 'before' || op === 'after') && calendarDay(value) === undefined) {
    return {
      en: 'the value of a date test must be a day (YYYY-MM-DD or YYYYMMDD)',
      ja: '日付の条件の値は日付（YYYY-MM-DD または YYYYMMDD）にしてください',
    };
  }
  if (op === 'in' && value.split(',').every((item) => item.trim() === '')) {
    return { en: 'list the values, separated by commas', ja: '値をカンマ区切りで指定してください' };
  }
  return undefined;
}

function optional(key: string, value: string): Record<string, string> {
  return value === '' ? {} : { [key]: value };
}

function outputOf(
  route: string,
  terminal: FlowNode,
  current: readonly string[],
  transformer: string | undefined,
  context: LintContext,
  problem: Problem,
): { output: StepOutput; suffix: string } | undefined {
  switch (terminal.type) {
    case 'hub-publish': {
      const type = text(terminal, 'messageType');
      if (!context.has(type)) {
        problem(
          terminal,
          `${describeNode(terminal)}: unknown message type ${type || '(none)'}`,
          `${describeNode(terminal)}: 未登録のメッセージ種別 ${type || '（未指定）'}`,
        );
        return undefined;
      }
      const wrong = current.filter((item) => item !== type);
      if (wrong.length > 0) {
        problem(
          terminal,
          `${describeNode(terminal)}: publishes ${type} but receives ${wrong.join(', ')} (add a transformer)`,
          `${describeNode(terminal)}: ${type} を発行しますが ${wrong.join(', ')} が届きます（変換器を入れてください）`,
        );
        return undefined;
      }
      if (transformer === undefined) {
        problem(
          terminal,
          `${describeNode(terminal)}: publishing the type it takes would loop`,
          `${describeNode(terminal)}: 受け取った種別をそのまま発行すると循環します`,
        );
        return undefined;
      }
      return { output: { kind: 'publish', messageType: type }, suffix: slug(type) };
    }
    case 'hub-request': {
      const deadlineMs = positiveInt(terminal, 'deadlineMs');
      if (deadlineMs === undefined || Number.isNaN(deadlineMs)) {
        problem(
          terminal,
          `${describeNode(terminal)}: give the reply deadline in ms`,
          `${describeNode(terminal)}: 応答期限（ms）を指定してください`,
        );
        return undefined;
      }
      return { output: { kind: 'reply', deadlineMs }, suffix: 'reply' };
    }
    case 'hub-deliver':
    case 'hub-bulk':
      return deliverOutput(route, terminal, current, transformer, context, problem);
    default:
      problem(
        terminal,
        `${describeNode(terminal)}: a route must end in publish, deliver, request or bulk`,
        `${describeNode(terminal)}: 経路の終端は publish・deliver・request・bulk にしてください`,
      );
      return undefined;
  }
}

function deliverOutput(
  route: string,
  terminal: FlowNode,
  current: readonly string[],
  transformer: string | undefined,
  context: LintContext,
  problem: Problem,
): { output: StepOutput; suffix: string } | undefined {
  const config = terminal['systemNode'] === undefined ? undefined : terminal['systemNode'];
  const system = typeof config === 'object' && config !== null ? (config as FlowNode) : undefined;
  if (system?.type !== 'hub-system') {
    problem(
      terminal,
      `${describeNode(terminal)}: choose the system (a hub-system node)`,
      `${describeNode(terminal)}: 連携先（hub-system ノード）を選んでください`,
    );
    return undefined;
  }
  const id = text(system, 'system');
  if (!context.systems.has(id)) {
    problem(
      terminal,
      `${describeNode(terminal)}: unknown system ${id || '(none)'}`,
      `${describeNode(terminal)}: 未登録の連携先 ${id || '（未指定）'}`,
    );
    return undefined;
  }
  if (terminal.type === 'hub-bulk' && transformer !== undefined) {
    problem(
      terminal,
      `${describeNode(terminal)}: a bulk (claim-check) stream takes the manifest as it is; remove the transformer`,
      `${describeNode(terminal)}: 一括（クレームチェック）は目録をそのまま渡します（変換器を外してください）`,
    );
    return undefined;
  }
  const permission = permissionOf(system);
  const connector = context.connectorPermissions?.get(id) ?? true;
  // An unknown type is reported as unknown where it is named; only a type the catalogue marks as
  // carrying 個人番号 is a My Number problem here (the catalogue counts unknown types as carrying it).
  const leaking = current.filter(
    (type) =>
      context.has(type) &&
      context.carriesMyNumber(type) &&
      (!permitsMyNumber(permission, route) || !permitsMyNumber(connector, route)),
  );
  if (leaking.length > 0) {
    problem(
      terminal,
      `${describeNode(terminal)}: ${leaking.join(', ')} carries 個人番号 (My Number) but ${id} may not receive it on ${route}`,
      `${describeNode(terminal)}: ${leaking.join(', ')} は個人番号を含みますが、${id} は ${route} で個人番号を受け取れません`,
    );
    return undefined;
  }
  return { output: { kind: 'deliver', system: id }, suffix: `to-${slug(id)}` };
}

/** Resolves each deliver/bulk node's `system` (a config node id) to the node, for compileFlows. */
export function resolveSystems(flows: readonly FlowNode[]): FlowNode[] {
  const byId = new Map(flows.map((node) => [node.id, node]));
  return flows.map((node) =>
    (node.type === 'hub-deliver' || node.type === 'hub-bulk') && typeof node['system'] === 'string'
      ? { ...node, systemNode: byId.get(node['system']) }
      : node,
  );
}

/** Lints and compiles flows as stored (config references resolved). */
export function checkFlows(flows: readonly FlowNode[], context: LintContext): CompiledFlows {
  return compileFlows(resolveSystems(flows), context);
}

/** One line per problem, English / Japanese, for the editor and the CLI. */
export function formatProblems(problems: readonly FlowProblem[]): string {
  return problems.map((item) => `[${item.route}] ${item.en} / ${item.ja}`).join('\n');
}
