/**
 * 市町村CS and the servers the hub reaches only through it. The CS is 住基ネット and may receive
 * 個人番号 on every affair; its consistency-check file is fixed-width CP932 (`codec.ts`). The
 * 都道府県サーバ, 全国サーバ and 他市町村 take nothing from the hub directly (the CS forwards to them),
 * so they declare no sink and no 個人番号; their simulators are in `servers.ts`.
 */
import type { SystemDescriptor } from '../runtime/descriptor.js';

export const jukinetCsDescriptor = {
  system: 'JUKINET_CS',
  folder: 'jukinet-cs',
  name: { ja: '市町村CS', en: 'Municipal CS (Juki-net communication server)' },
  urlVariable: 'HUB_JUKINET_CS_URL',
  defaultPort: 18102,
  myNumber: true,
  edges: ['sink', 'ingress'],
  codecs: ['codec'],
  aliases: ['cs'],
} as const satisfies SystemDescriptor;

export const prefectureServerDescriptor = {
  system: 'PREFECTURE_SERVER',
  folder: 'jukinet-cs',
  name: { ja: '都道府県サーバ', en: 'Prefecture server' },
  urlVariable: 'HUB_PREFECTURE_SERVER_URL',
  defaultPort: 18103,
  myNumber: false,
  edges: [],
  codecs: ['codec'],
  behind: 'JUKINET_CS',
  aliases: ['prefecture'],
} as const satisfies SystemDescriptor;

export const nationalServerDescriptor = {
  system: 'NATIONAL_SERVER',
  folder: 'jukinet-cs',
  name: { ja: '全国サーバ', en: 'National server (J-LIS)' },
  urlVariable: 'HUB_NATIONAL_SERVER_URL',
  defaultPort: 18104,
  myNumber: false,
  edges: [],
  codecs: ['codec'],
  behind: 'JUKINET_CS',
  aliases: ['national'],
} as const satisfies SystemDescriptor;

export const otherMunicipalityDescriptor = {
  system: 'OTHER_MUNICIPALITY',
  folder: 'jukinet-cs',
  name: { ja: '他市町村', en: 'Other municipality' },
  urlVariable: 'HUB_OTHER_MUNICIPALITY_URL',
  defaultPort: 18105,
  myNumber: false,
  edges: [],
  codecs: [],
  behind: 'JUKINET_CS',
} as const satisfies SystemDescriptor;

/** 情報提供ネットワークシステム behind the CS and 機構: generates the 符号 (affair 5); see `fugo.ts`. */
export const infoProvisionNetworkDescriptor = {
  system: 'INFO_PROVISION_NETWORK',
  folder: 'jukinet-cs',
  name: {
    ja: '情報提供ネットワークシステム（符号生成）',
    en: 'Information provision network (token generation)',
  },
  urlVariable: 'HUB_INFO_PROVISION_NETWORK_URL',
  defaultPort: 18131,
  myNumber: false,
  edges: [],
  codecs: [],
  behind: 'JUKINET_CS',
  aliases: ['fugo'],
} as const satisfies SystemDescriptor;
