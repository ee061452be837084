/**
 * Certificate PDFs, rendered with pdfkit. The subject key is stamped in the document information
 * (Subject and Keywords) and printed on the page, so every leg (the connector's check, the center's
 * check, a test) can read back whom a PDF is about without parsing personal data.
 */
import PDFDocument from 'pdfkit';
import { certificateStamps, stampKeywords } from '../../transformers/kiosk-subject.js';

/** What a certificate page shows (no name or address: the demo PDF identifies by keys only). */
export interface CertificateContent {
  readonly subjectKey: string;
  readonly certificateType: string;
  readonly issueNumber: string;
  readonly centerRequestId: string;
  /** The resident the certificate shows (住民票コード, or 本籍+筆頭者 for 戸籍), as a key. */
  readonly residentKey: string;
  /** A key of what the certificate shows (e.g. the address), stamped as ContentKey. */
  readonly contentKey?: string;
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
      Keywords: stampKeywords({
        subjectKey: content.subjectKey,
        requestId: content.centerRequestId,
        certificateType: content.certificateType,
        residentKey: content.residentKey,
      }),
      Producer: 'juki-hub conveni simulator',
      ...(content.contentKey === undefined ? {} : { ContentKey: content.contentKey }),
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
  return certificateStamps(pdf)?.subjectKey;
}

/**
 * Reads the ContentKey (an `a1:` key) stamped in a PDF's information dictionary (pdfkit writes the
 * value as its own object); undefined if there is none.
 */
export function contentKeyOfPdf(pdf: Buffer): string | undefined {
  return /\((a1:[A-Za-z0-9_-]{1,80})\)/.exec(pdf.toString('latin1'))?.[1];
}
