/**
 * The `ingest` plugin: the legacy publishing paths besides plain AMQP. HTTP routes under
 * `/api/messages`, the file-drop watcher over HUB_DROP_DIR and the `hub_outbox` poller, all through
 * the one publishing core (publish.ts).
 */
import { definePlugin } from '../plugin.js';
import { startFileDrop } from './file-drop.js';
import { httpIngestRouter } from './http.js';
import { startOutboxPoller } from './outbox.js';
import { createIngest } from './publish.js';

export { createIngest, type Ingest, type IngestMessage, type IngestResult } from './publish.js';
export { publishDeadLetter, schemaPathsHeader, type IngestSource } from './dead-letter.js';
export { startFileDrop, fileRecordMessageId, type FileSummary } from './file-drop.js';
export { startOutboxPoller, outboxMessageId } from './outbox.js';
export { httpIngestRouter } from './http.js';

/** Starts HTTP ingest, the file-drop watcher and the outbox poller. */
export const ingestPlugin = definePlugin({
  name: 'ingest',
  needs: ['config', 'store', 'broker', 'app', 'credentials', 'catalogue', 'keyRing'],
  start(context) {
    const ingest = createIngest({
      publisher: context.broker.publisher,
      catalogue: context.catalogue,
      maxRecordBytes: context.config.ingestMaxRecordBytes,
    });
    context.app.use(
      '/api/messages',
      httpIngestRouter({
        ingest,
        credentials: context.credentials,
        store: context.store,
        catalogue: context.catalogue,
        maxBytes: context.config.ingestMaxBytes,
        maxRecordBytes: context.config.ingestMaxRecordBytes,
      }),
    );
    const fileDrop = startFileDrop({
      root: context.config.dropDir,
      pollMs: context.config.dropPollMs,
      ingest,
      store: context.store,
      maxRecordBytes: context.config.ingestMaxRecordBytes,
      keyRing: context.keyRing,
      archiveMode: context.config.dropArchive,
    });
    const outbox = startOutboxPoller({
      store: context.store,
      ingest,
      pollMs: context.config.outboxPollMs,
    });
    return Promise.resolve({
      readiness: () => [fileDrop.readiness()],
      async stop() {
        await fileDrop.stop();
        await outbox.stop();
      },
    });
  },
});
