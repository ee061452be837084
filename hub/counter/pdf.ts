/**
 * The 住民票の写し as a PDF (affair 3): Japanese text set in the font at HUB_CERTIFICATE_FONT
 * (default IPAexGothic from Debian's fonts-ipaexfont-gothic). pdfkit embeds the font as a subset of
 * the glyphs used, so the PDF shows the same text on any machine and its text can be extracted
 * (pdftotext). Without the font pdfkit could set only Latin text, so a missing font stops the hub at
 * start (`checkCertificateFont`) and `hub doctor` names it, instead of issuing boxes.
 */
import { accessSync, constants } from 'node:fs';
import PDFDocument from 'pdfkit';
import { ConfigError } from '../errors.js';

/** The full-width space that separates a label from its value on Japanese forms. */
const IDEOGRAPHIC_SPACE = '\u3000';

/** One line of the certificate: a label and its value. */
export interface CertificateLine {
  readonly label: string;
  readonly value: string;
}

/** One person shown on the copy. */
export interface CertificatePerson {
  readonly lines: readonly CertificateLine[];
}

/** What the copy shows. */
export interface JuminhyoCopy {
  readonly title: string;
  readonly header: readonly CertificateLine[];
  readonly people: readonly CertificatePerson[];
  readonly verificationCode: string;
  readonly issuedOn: string;
  readonly issuer: string;
}

/** Throws a ConfigError naming the variable when the font file cannot be read. */
export function checkCertificateFont(path: string): void {
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new ConfigError(
      'HUB_CERTIFICATE_FONT',
      `the Japanese font ${path} is missing or unreadable; install Debian's fonts-ipaexfont-gothic or point HUB_CERTIFICATE_FONT at a TrueType/OpenType Japanese font / ` +
        `証明書用の日本語フォントがありません（fonts-ipaexfont-gothic を導入するか HUB_CERTIFICATE_FONT を設定してください）`,
    );
  }
}

/** Renders the copy; the font is embedded (subset). */
export async function renderJuminhyoPdf(copy: JuminhyoCopy, fontPath: string): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    info: { Title: copy.title, Producer: 'juki-hub counter', Keywords: copy.verificationCode },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  doc.registerFont('jp', fontPath);
  doc.font('jp');
  doc.fontSize(20).text(copy.title, { align: 'center' });
  doc.moveDown();
  doc.fontSize(11);
  for (const line of copy.header) doc.text(`${line.label}${IDEOGRAPHIC_SPACE}${line.value}`);
  for (const [index, person] of copy.people.entries()) {
    doc
      .moveDown()
      .fontSize(12)
      .text(`（${String(index + 1)}）`);
    doc.fontSize(11);
    for (const line of person.lines) doc.text(`${line.label}${IDEOGRAPHIC_SPACE}${line.value}`);
  }
  doc.moveDown(2).fontSize(10);
  doc.text('この写しは、住民票の原本と相違ないことを証明する。');
  doc.text(`${copy.issuedOn}${IDEOGRAPHIC_SPACE}${copy.issuer}`);
  doc.text(`照合番号${IDEOGRAPHIC_SPACE}${copy.verificationCode}`);
  doc.end();
  await done;
  return Buffer.concat(chunks);
}
