// Loaded by path (DataConverter.failureConverterPath) in the worker, inside the workflow sandbox
// (bundled), and in clients: failure messages and stack traces name units and people, so they go
// into the encoded attributes, which the payload codec encrypts.
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
