/**
 * The lint context of the running code base: the schema catalogue, the registered transformers and
 * the systems the hub has connectors for. `hub flows check`, the editor's deploy and the start of the
 * hub all lint against this, so they cannot disagree.
 */
import type { Sink } from '../engine/step.js';
import { schemaRegistry } from '../../schemas/registry.js';
import { transformers } from '../../transformers/index.js';
import { sinksFor } from '../../connectors/index.js';
import { simAddresses } from '../../connectors/runtime/systems.js';
import type { LintContext } from './flow-model.js';
import { auditSinkDescriptor } from '../support-measures/audit.js';

/** The lint context for the given sinks (default: the hub's connectors). */
export function lintContext(sinks?: readonly Sink[]): LintContext {
  const catalogue = schemaRegistry();
  const systems = sinks ?? connectorSinks();
  return {
    has: (type) => catalogue.has(type),
    carriesMyNumber: (type) => catalogue.carriesMyNumber(type),
    transformers,
    systems: new Set(systems.map((sink) => sink.system)),
    connectorPermissions: new Map(systems.map((sink) => [sink.system, sink.allowsMyNumber])),
  };
}

/** The connectors' sinks, only to read their systems and 個人番号 permissions (nothing is sent). */
export function connectorSinks(): Sink[] {
  const audit: Sink = {
    ...auditSinkDescriptor,
    deliver: () => Promise.reject(new Error('the audit is written by the running hub only')),
  };
  return [...sinksFor({ urls: simAddresses(), exchangeDir: 'unused', lgCode: '131016' }), audit];
}
