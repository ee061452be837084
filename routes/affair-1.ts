/**
 * Affair 1 (住民異動に伴う個人番号の生成・本人確認情報の更新): the engine route as data. Every step
 * that is about one resident is ordered by the 住民票コード, so two movements of one person reach
 * each system in the order the registry recorded them. The Node-RED issue turns these into flows.
 */
import type { StepSpec } from '../hub/engine/step.js';

const route = 'affair-1';
const byResident = '/resident/juminhyoCode';
const byReplySubject = '/juminhyoCode';

/** The steps of affair 1, in the seed's order (1-② … 1-⑫, then the CS replies, 1-⑤). */
export const affair1Steps: StepSpec[] = [
  {
    route,
    name: 'affair-1.mynumber-generation-to-cs',
    input: ['resident.movement.recorded'],
    transformer: 'resident-movement-recorded-to-mynumber-generation-requested',
    output: { kind: 'deliver', system: 'JUKINET_CS' },
    orderBy: byResident,
  },
  {
    route,
    name: 'affair-1.identity-info-to-cs',
    input: ['resident.movement.recorded.tokutei'],
    transformer: 'resident-movement-recorded-tokutei-to-identity-info-update-submitted',
    output: { kind: 'deliver', system: 'JUKINET_CS' },
    orderBy: byResident,
  },
  {
    route,
    name: 'affair-1.move-in-notice-to-cs',
    input: ['resident.movement.recorded.tokutei'],
    transformer: 'resident-movement-recorded-tokutei-to-move-in-notice-sent',
    output: { kind: 'deliver', system: 'JUKINET_CS' },
    orderBy: byResident,
  },
  {
    route,
    name: 'affair-1.atena-to-kyotsu-kiban',
    input: ['resident.movement.recorded'],
    transformer: 'resident-movement-recorded-to-atena-changed',
    output: { kind: 'deliver', system: 'KYOTSU_KIBAN' },
    orderBy: byResident,
  },
  {
    route,
    name: 'affair-1.juminhyo-kankei-to-tougou-atena',
    input: ['resident.movement.recorded.tokutei'],
    transformer: 'resident-movement-recorded-tokutei-to-chukan-juminhyo-kankei-updated',
    output: { kind: 'deliver', system: 'TOUGOU_ATENA' },
    orderBy: byResident,
  },
  {
    route,
    name: 'affair-1.mynumber-generated-to-registry',
    input: ['mynumber.generation.completed'],
    transformer: 'mynumber-generation-completed-to-registry-cs-reply-received',
    output: { kind: 'deliver', system: 'KIZON_JUKI' },
    orderBy: byReplySubject,
  },
  {
    route,
    name: 'affair-1.mynumber-changed-to-registry',
    input: ['mynumber.change.completed'],
    transformer: 'mynumber-change-completed-to-registry-cs-reply-received',
    output: { kind: 'deliver', system: 'KIZON_JUKI' },
    orderBy: byReplySubject,
  },
  {
    route,
    name: 'affair-1.identity-info-accepted-to-registry',
    input: ['identity-info.update.acknowledged'],
    transformer: 'identity-info-update-acknowledged-to-registry-cs-reply-received',
    output: { kind: 'deliver', system: 'KIZON_JUKI' },
    orderBy: byReplySubject,
  },
  {
    route,
    name: 'affair-1.identity-info-rejected-to-registry',
    input: ['identity-info.update.rejected'],
    transformer: 'identity-info-update-rejected-to-registry-cs-reply-received',
    output: { kind: 'deliver', system: 'KIZON_JUKI' },
    orderBy: byReplySubject,
  },
  {
    route,
    name: 'affair-1.move-in-notice-received-to-registry',
    input: ['move-in.notice.received'],
    transformer: 'move-in-notice-received-to-registry-cs-reply-received',
    output: { kind: 'deliver', system: 'KIZON_JUKI' },
    orderBy: byReplySubject,
  },
];
