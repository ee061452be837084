import { expect } from 'chai';
import { sampleCertSerial, sampleLgCode } from '../../schemas/sample.js';
import type { Ingress } from '../runtime/ingress.js';
import { kosekiFuhyoSimulator } from './simulator.js';

const noIngress: Ingress = {
  publish: () => Promise.reject(new Error('not in this test')),
};

describe('附票 simulator: certificate data for コンビニ交付 (戸籍の附票の写し)', () => {
  it('answers like the 戸籍 system for a subject whose 本籍 it holds, and 404 otherwise', async () => {
    const sim = kosekiFuhyoSimulator({ port: 0, ingress: noIngress });
    await sim.start();
    try {
      const ask = (authCertSerial: string) =>
        fetch(`${sim.url()}/certificate-data`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            lgCode: sampleLgCode,
            authCertSerial,
            certificateType: 'KOSEKI_FUHYO',
          }),
        });
      const known = await ask(sampleCertSerial(5));
      expect(known.status).to.equal(200);
      const data = (await known.json()) as Record<string, unknown>;
      expect(data).to.have.all.keys('subjectKey', 'honsekiPresent', 'memberCount');
      expect(data['honsekiPresent']).to.equal(true);
      expect((await ask('0A00000000F')).status).to.equal(404);
      expect((await ask('not-a-serial')).status).to.equal(404);
    } finally {
      await sim.stop();
    }
  });
});
