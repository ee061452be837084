/**
 * `hub demo affair-1|2|3|4|5|6|8|9|10|11`: triggers one affair at the simulators of a running hub
 * (`npm start` runs them) and says where to watch it. It only asks the simulated systems to do what
 * the real ones do (record a movement, write an extract, send kiosk requests); the hub does the rest.
 */
import type { Command } from 'commander';
import { defaultPorts, type SimSystem } from '../../connectors/runtime/systems.js';
import { demo36 } from './demo-3-6.js';
import { demos5910 } from './demo-5-9-10.js';
import { complain, configOrComplain, describeError, exitCodes, say } from './output.js';

const affairs = [
  'affair-1',
  'affair-2',
  'affair-3',
  'affair-4',
  'affair-5',
  'affair-6',
  'affair-8',
  'affair-9',
  'affair-10',
  'affair-11',
] as const;

function simUrl(system: SimSystem): string {
  return `http://127.0.0.1:${String(defaultPorts[system])}`;
}

async function post(system: SimSystem, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${simUrl(system)}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${system} answered HTTP ${String(response.status)}`);
  return await response.json();
}

/** Runs `record`, then waits (up to 30 s) until the コンビニ交付 simulator has taken `count` more messages. */
async function heldByConveni(count: number, record: () => Promise<void>): Promise<void> {
  const held = async () => {
    const response = await fetch(`${simUrl('CONVENI_ISSUANCE')}/received`);
    return ((await response.json()) as { count: number }).count;
  };
  const before = await held();
  await record();
  const until = Date.now() + 30_000;
  while ((await held()) < before + count && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function watch(systems: readonly SimSystem[], metricsUrl: string): void {
  say('watch / 確認先:');
  for (const system of systems) say(`  ${system.padEnd(20)} ${simUrl(system)}/received`);
  say(`  metrics              ${metricsUrl}`);
}

/** Runs one demo; resolves with the exit code. */
export async function demoCommand(affair: string, count: number | undefined): Promise<number> {
  const config = configOrComplain();
  if (config === undefined) return exitCodes.usage;
  if (!(affairs as readonly string[]).includes(affair)) {
    complain(`hub demo: choose one of ${affairs.join(', ')} / 事務名を指定してください`);
    return exitCodes.usage;
  }
  const metricsUrl = `http://127.0.0.1:${String(config.httpPort)}/metrics`;
  const seed = 1 + Math.floor(Math.random() * 90_000);
  try {
    const demo5910 = demos5910[affair];
    if (affair === 'affair-3' || affair === 'affair-6') {
      await demo36(affair, seed, config, {
        post,
        simUrl,
        watch: (systems) => {
          watch(systems, metricsUrl);
        },
      });
    } else if (demo5910 !== undefined) {
      await demo5910(count, seed, {
        post,
        simUrl,
        watch: (systems) => {
          watch(systems, metricsUrl);
        },
      });
    } else if (affair === 'affair-1') {
      await post('KIZON_JUKI', '/trigger/movement', { reason: 'DOMESTIC_MOVE_IN', seed });
      await post('KIZON_JUKI', '/trigger/movement', { reason: 'OVERSEAS_MOVE_IN', seed: seed + 1 });
      await post('KIZON_JUKI', '/trigger/movement', { reason: 'BIRTH', seed: seed + 2 });
      await post('KIZON_JUKI', '/trigger/mynumber-change', { seed: seed + 3 });
      say(
        'affair 1: recorded a domestic move-in, a move-in from abroad and a birth at 既存住基, and a My Number change request',
      );
      say('事務1: 既存住基で国内転入・国外転入・出生を記録し、個人番号の変更請求を行いました');
      watch(
        [
          'JUKINET_CS',
          'PREFECTURE_SERVER',
          'OTHER_MUNICIPALITY',
          'KYOTSU_KIBAN',
          'TOUGOU_ATENA',
          'CHUKAN_SERVER',
          'KIZON_JUKI',
        ],
        metricsUrl,
      );
    } else if (affair === 'affair-2') {
      await post('KIZON_JUKI', '/trigger/movement', { reason: 'RELOCATION', seed });
      await post('KIZON_JUKI', '/trigger/movement', {
        reason: 'DOMESTIC_MOVE_IN',
        seed: seed + 1,
        honseki: { lgCode: '271004', address: '大阪府大阪市北区中之島一丁目３番' },
      });
      say('affair 2: a 転居 with 本籍 in this city and a 転入 with 本籍 in 大阪市 (271004)');
      say('事務2: 市内本籍の転居と、本籍が大阪市（271004）の転入を記録しました');
      watch(['KOSEKI_FUHYO', 'JUKINET_CS', 'OTHER_MUNICIPALITY'], metricsUrl);
      say(`  附票 entries         ${simUrl('KOSEKI_FUHYO')}/fuhyo`);
    } else if (affair === 'affair-4') {
      const notices = count ?? 100;
      await post('MOJ_TERMINAL', '/trigger/notices', { count: notices });
      await post('KIZON_JUKI', '/trigger/movement', {
        reason: 'RELOCATION',
        seed,
        kind: 'mid-long-term',
      });
      say(
        `affair 4: a 法務省通知 file of ${String(notices)} notices, and a foreign resident's 転居`,
      );
      say(`事務4: 法務省通知ファイル（${String(notices)} 件）と外国人住民の転居を記録しました`);
      watch(['KIZON_JUKI', 'MOJ_TERMINAL'], metricsUrl);
      say(`  files                ${config.dataDir}/exchange/moj-terminal/`);
    } else if (affair === 'affair-8') {
      const records = count ?? 10_000;
      // The CS holds as many residents as the registry extracts; two of its copies drifted.
      await post('JUKINET_CS', '/holdings/seed', {
        population: records,
        drift: [
          { recordNo: 1, field: 'ADDRESS' },
          { recordNo: Math.max(1, Math.floor(records / 2)), field: 'NAME' },
        ],
      });
      await post('KIZON_JUKI', '/trigger/consistency-check', { count: records });
      say(
        `affair 8: ${String(records)} records extracted; 2 residents drifted at the CS (found by the prefecture, the national server and the 既存住基↔CS check)`,
      );
      say(
        `事務8: ${String(records)} 件を抽出しました。CS 側の 2 人分を不一致にしてあります（都道府県・全国サーバと既存住基↔CS の各照合で検出）`,
      );
      watch(['JUKINET_CS', 'PREFECTURE_SERVER', 'NATIONAL_SERVER', 'KIZON_JUKI'], metricsUrl);
    } else {
      const requests = count ?? 10;
      // 11-①: the コンビニ交付 system answers only from what the registry sent it, so the residents'
      // movements go first (through the hub), then the kiosk requests.
      await heldByConveni(requests, async () => {
        for (let index = 0; index < requests; index += 1)
          await post('KIZON_JUKI', '/trigger/movement', {
            reason: 'RELOCATION',
            seed: seed + index,
          });
      });
      await post('JLIS_CERT_CENTER', '/trigger/requests', {
        count: requests,
        firstSeed: seed,
        types: ['JUMINHYO', 'KOSEKI_ZENBU'],
      });
      say(
        `affair 11: ${String(requests)} residents' movements sent to コンビニ交付, then ${String(requests)} kiosk requests by the center (住民票 and 戸籍)`,
      );
      say(
        `事務11: 住民 ${String(requests)} 人の異動をコンビニ交付システムへ送り、交付センターからコンビニ交付要求を ${String(requests)} 件送りました`,
      );
      watch(['CONVENI_ISSUANCE', 'KOSEKI', 'JLIS_CERT_CENTER'], metricsUrl);
      say(`  verdicts             ${simUrl('JLIS_CERT_CENTER')}/results`);
    }
    return exitCodes.ok;
  } catch (error) {
    complain(
      `hub demo: the simulators did not answer (${describeError(error)}); start the hub with simulators: npm start` +
        ` / シミュレータが応答しません。npm start で起動してください`,
    );
    return exitCodes.failed;
  }
}

/** Registers `hub demo`. */
export function registerDemoCommand(
  program: Command,
  setCode: (code: number | null) => void,
): void {
  program
    .command('demo')
    .summary('Run one affair end to end / 事務デモ実行')
    .description(
      'Trigger affair-1, 2, 3, 4, 5, 6, 8, 9, 10 or 11 at the simulators of a running hub and show where to watch (3 and 6 add a demo operator: demo mode only).\n' +
        '起動中のハブのシミュレータで事務 1・2・3・4・5・6・8・9・10・11 を実行し、確認先を表示する（3・6 はデモ用の職員を追加するためデモモード限定）。',
    )
    .argument('<affair>', affairs.join(' | '))
    .option(
      '--count <n>',
      'notices (affair-4), pairs (affair-5), records (affair-8, 9) or requests (affair-11) / 件数',
      (value) => {
        const n = Number(value);
        if (!Number.isInteger(n) || n <= 0) throw new Error('a positive whole number');
        return n;
      },
    )
    .action(async (affair: string, options: { count?: number }) => {
      setCode(await demoCommand(affair, options.count));
    });
}
