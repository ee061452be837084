import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import {
  businessCalendar,
  businessCalendarFromEnv,
  ClosureSyntaxError,
  holidaysOf,
  parseClosures,
} from './business-calendar.js';

/** The Cabinet Office's published lists (内閣府「国民の祝日について」), typed in by hand. */
const cabinetOffice: Record<number, string[]> = {
  2026: [
    '01-01',
    '01-12',
    '02-11',
    '02-23',
    '03-20',
    '04-29',
    '05-03',
    '05-04',
    '05-05',
    '05-06',
    '07-20',
    '08-11',
    '09-21',
    '09-22',
    '09-23',
    '10-12',
    '11-03',
    '11-23',
  ],
  2027: [
    '01-01',
    '01-11',
    '02-11',
    '02-23',
    '03-21',
    '03-22',
    '04-29',
    '05-03',
    '05-04',
    '05-05',
    '07-19',
    '08-11',
    '09-20',
    '09-23',
    '10-11',
    '11-03',
    '11-23',
  ],
  2019: [
    '01-01',
    '01-14',
    '02-11',
    '03-21',
    '04-29',
    '04-30',
    '05-01',
    '05-02',
    '05-03',
    '05-04',
    '05-05',
    '05-06',
    '07-15',
    '08-11',
    '08-12',
    '09-16',
    '09-23',
    '10-14',
    '10-22',
    '11-03',
    '11-04',
    '11-23',
  ],
  2020: [
    '01-01',
    '01-13',
    '02-11',
    '02-23',
    '02-24',
    '03-20',
    '04-29',
    '05-03',
    '05-04',
    '05-05',
    '05-06',
    '07-23',
    '07-24',
    '08-10',
    '09-21',
    '09-22',
    '11-03',
    '11-23',
  ],
};

describe('business calendar', () => {
  for (const [year, expected] of Object.entries(cabinetOffice)) {
    it(`computes the Cabinet Office holiday list of ${year}`, () => {
      const dates = holidaysOf(Number(year)).map((holiday) => holiday.date.slice(5));
      expect(dates).to.deep.equal(expected);
    });
  }

  it('names 振替休日 and 国民の休日 (2019 Golden Week, 2026 Silver Week)', () => {
    const names = (year: number) =>
      Object.fromEntries(holidaysOf(year).map((holiday) => [holiday.date, holiday.name.ja]));
    const y2019 = names(2019);
    expect(y2019['2019-04-30']).to.equal('国民の休日');
    expect(y2019['2019-05-02']).to.equal('国民の休日');
    expect(y2019['2019-05-06']).to.equal('休日（振替休日）');
    expect(names(2026)['2026-09-22']).to.equal('国民の休日');
    expect(names(2026)['2026-05-06']).to.equal('休日（振替休日）');
  });

  it('tells weekends, holidays, 年末年始 and city closures from business days', () => {
    const calendar = businessCalendar({ closures: parseClosures('2026-06-15, 08-13') });
    expect(calendar.kindOf('2026-06-12')).to.equal('BUSINESS'); // Friday
    expect(calendar.kindOf('2026-06-13')).to.equal('WEEKEND');
    expect(calendar.kindOf('2026-06-15')).to.equal('CITY_CLOSURE');
    expect(calendar.kindOf('2026-11-23')).to.equal('HOLIDAY');
    for (const day of ['2026-12-29', '2026-12-30', '2026-12-31', '2027-01-02', '2027-01-03']) {
      expect(calendar.kindOf(day), day).to.equal('YEAR_END');
    }
    expect(calendar.kindOf('2027-01-04')).to.equal('BUSINESS');
    expect(calendar.kindOf('2026-08-13')).to.equal('CITY_CLOSURE'); // yearly MM-DD
    expect(calendar.kindOf('2027-08-13')).to.equal('CITY_CLOSURE');
  });

  it('adds business days across Golden Week, 年末年始 and closures', () => {
    const calendar = businessCalendar({ closures: parseClosures('2027-01-04..2027-01-05') });
    // Thu 2026-04-30 + 1 → Fri 05-01; + 2 → Thu 05-07 (05-02..05-06 weekend and holidays).
    expect(calendar.addBusinessDays('2026-04-30', 1)).to.equal('2026-05-01');
    expect(calendar.addBusinessDays('2026-04-30', 2)).to.equal('2026-05-07');
    expect(calendar.addBusinessDays('2026-05-07', -2)).to.equal('2026-04-30');
    // Mon 2026-12-28 + 1: 12-29..01-03 year end, 01-04..05 the city's closure → Wed 2027-01-06.
    expect(calendar.addBusinessDays('2026-12-28', 1)).to.equal('2027-01-06');
    expect(calendar.addBusinessDays('2026-05-03', 0)).to.equal('2026-05-07');
    expect(calendar.addBusinessDays('2026-05-07', 0)).to.equal('2026-05-07');
    expect(calendar.businessDaysBetween('2026-04-30', '2026-05-07')).to.equal(2);
    expect(calendar.businessDaysBetween('2026-05-07', '2026-04-30')).to.equal(0);
    expect(calendar.nextBusinessDay('2026-09-18')).to.equal('2026-09-24');
  });

  it('schedules for the next business morning in Japan time', () => {
    const calendar = businessCalendar({ morning: '08:30' });
    // Fri 2026-09-18 07:00 JST → the same morning, 08:30 JST = 23:30Z the day before.
    expect(calendar.nextBusinessMorning(new Date('2026-09-17T22:00:00Z')).toISOString()).to.equal(
      '2026-09-17T23:30:00.000Z',
    );
    // Fri 2026-09-18 10:00 JST → Thu 2026-09-24 (weekend, 敬老の日, 国民の休日, 秋分の日).
    expect(calendar.nextBusinessMorning(new Date('2026-09-18T01:00:00Z')).toISOString()).to.equal(
      '2026-09-23T23:30:00.000Z',
    );
    // 2026-12-28 23:00 JST (14:00Z) → 2027-01-04 08:30 JST.
    expect(calendar.nextBusinessMorning(new Date('2026-12-28T14:00:00Z')).toISOString()).to.equal(
      '2027-01-03T23:30:00.000Z',
    );
  });

  it('reads closures from the environment and refuses unreadable entries by name', () => {
    const calendar = businessCalendarFromEnv({
      HUB_CITY_CLOSURES: '2026-06-15 # 市制記念日\n, 2026-07-01..2026-07-02',
      HUB_BUSINESS_MORNING: '09:00',
    });
    expect(calendar.isBusinessDay('2026-06-15')).to.equal(false);
    expect(calendar.isBusinessDay('2026-07-02')).to.equal(false);
    expect(calendar.isBusinessDay('2026-07-03')).to.equal(true);
    for (const bad of ['2026-02-30', '2026-07-03..2026-07-01', 'tomorrow', '13-01']) {
      expect(() => parseClosures(bad), bad).to.throw(ClosureSyntaxError, bad);
    }
    expect(() => holidaysOf(1999)).to.throw(RangeError);
  });

  it('is configured at start: HUB_CITY_CLOSURES inline or @file, refused with the variable named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-closures-'));
    const file = join(dir, 'closures.txt');
    writeFileSync(file, '# 市の閉庁日\n2026-06-15\n08-13\n');
    const config = loadConfig({ HUB_CITY_CLOSURES: `@${file}`, HUB_BUSINESS_MORNING: '09:15' });
    expect(config.cityClosures).to.deep.equal([
      { kind: 'day', day: '2026-06-15' },
      { kind: 'yearly', monthDay: '08-13' },
    ]);
    expect(config.businessMorning).to.equal('09:15');
    expect(config.moveInNoticeDays).to.equal(14);
    const refusal = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (error) {
        return error instanceof ConfigError ? error.variable : 'other error';
      }
      return 'accepted';
    };
    expect(refusal({ HUB_CITY_CLOSURES: '2026-13-01' })).to.equal('HUB_CITY_CLOSURES');
    expect(refusal({ HUB_CITY_CLOSURES: `@${join(dir, 'missing.txt')}` })).to.equal(
      'HUB_CITY_CLOSURES',
    );
    expect(refusal({ HUB_BUSINESS_MORNING: '8:30' })).to.equal('HUB_BUSINESS_MORNING');
    expect(refusal({ HUB_MOVE_IN_NOTICE_DAYS: '0' })).to.equal('HUB_MOVE_IN_NOTICE_DAYS');
  });
});
