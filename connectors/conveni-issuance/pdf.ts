/**
 * Certificate PDFs, rendered with pdfkit. The subject key is stamped in the document information
 * (Subject and Keywords) and printed on the page, so every leg (the connector's check, the center's
 * check, a test) can read back whom a PDF is about without parsing personal data.
 */
import PDFDocument from 'pdfkit';

/** What a certificate page shows (no name or address: the demo PDF identifies by keys only). */
export interface CertificateContent {
  readonly subjectKey: string;
  readonly certificateType: string;
  readonly issueNumber: string;
  readonly centerRequestId: string;
  readonly lines: readonly string[];
}

/** Renders a one-page certificate PDF. */
export async function renderCertificatePdf(content: CertificateContent): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    compress: false,
    info: {
      Title: `Certificate ${content.certificateType}`,
      Subject: content.subjectKey,
      Keywords: `subjectKey=${content.subjectKey}`,
      Producer: 'juki-hub conveni simulator',
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  doc.fontSize(18).text(`Certificate: ${content.certificateType}`);
  doc.moveDown().fontSize(10).text(`Issue number: ${content.issueNumber}`);
  doc.text(`Center request: ${content.centerRequestId}`);
  doc.text(`Subject key: ${content.subjectKey}`);
  for (const line of content.lines) doc.text(line);
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

/** Reads the subject key stamped in a PDF's information dictionary; undefined if there is none. */
export function subjectKeyOfPdf(pdf: Buffer): string | undefined {
  const text = pdf.toString('latin1');
  const match = /\(subjectKey=([A-Za-z0-9:_-]{1,80})\)/.exec(text);
  return match?.[1];
}
