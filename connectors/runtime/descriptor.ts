/**
 * What a connector declares about its system, as data: the facts the configuration, the CLI, the
 * engine's My Number check and the registry test read. Each `connectors/<system>/descriptor.ts`
 * exports one (the CS folder also the servers behind the CS), and nothing else holds these facts.
 */
import type { MyNumberPermission } from '../../hub/engine/step.js';

/** The hub's sides with a system: it delivers to it (`sink.ts`), it takes what it originates (`ingress.ts`). */
export type ConnectorEdge = 'sink' | 'ingress';

/** One external system. */
export interface SystemDescriptor {
  /** The catalogue's SystemId (AMQP `app_id`, dead-letter headers, `HUB_<SYSTEM>_URL`). */
  readonly system: string;
  /** The connector folder, `connectors/<folder>/`; also a name `hub simulate` accepts. */
  readonly folder: string;
  /** Operator-facing names. */
  readonly name: { readonly ja: string; readonly en: string };
  /** The variable holding the system's base URL (`HUB_<SYSTEM>_URL`). */
  readonly urlVariable: string;
  /** The simulator's default port on this machine (18xxx, away from the hub's 1880). */
  readonly defaultPort: number;
  /**
   * Which affairs (routes) may send it a 個人番号: `true` every affair, `false` none, or the listed
   * routes (the seed's legend, 個人番号を含む流れ). Its sink declares exactly this.
   */
  readonly myNumber: MyNumberPermission;
  /** The hub's sides with it; each has its module in the folder (`sink.ts`, `ingress.ts`). */
  readonly edges: readonly ConnectorEdge[];
  /** Modules of the folder that hold its wire formats beyond JSON over HTTP (`codec`, `layouts`, `pdf`). */
  readonly codecs: readonly string[];
  /** Set for a system the hub reaches only through another: its simulator lives in that folder. */
  readonly behind?: string;
  /** Further names `hub simulate` accepts (`cs`, `registry`). */
  readonly aliases?: readonly string[];
}
