import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  GetTranscriptionJobCommand,
  StartTranscriptionJobCommand,
  DeleteTranscriptionJobCommand,
  TranscribeClient,
  type StartTranscriptionJobCommandInput,
} from '@aws-sdk/client-transcribe';
import { mockClient } from 'aws-sdk-client-mock';

export interface FakeTranscribeOptions {
  /** What the "recogniser" hears (one job output per start). */
  transcript: string;
  /** Per-word confidences of the output's pronunciation items (default 0.9 each). */
  confidences?: number[];
  /** Status checks answering IN_PROGRESS before COMPLETED (default 2). */
  pendingPolls?: number;
  /** Make the job end FAILED with this reason. */
  failureReason?: string;
}

export interface FakeTranscribe {
  client: TranscribeClient;
  started: StartTranscriptionJobCommandInput[];
  /** The audio each job found at its MediaFileUri. */
  audioSeen: Buffer[];
  polls: number;
  deleted: string[];
}

/**
 * Amazon Transcribe played by aws-sdk-client-mock over a real S3 (s3rver): a started job reads its
 * audio from the S3 URI, answers IN_PROGRESS a few times, then writes its output JSON (the shape
 * of the Transcribe developer guide) to OutputBucketName/OutputKey and answers COMPLETED.
 */
export function fakeTranscribe(s3: S3Client, o: FakeTranscribeOptions): FakeTranscribe {
  const client = new TranscribeClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const mock = mockClient(client);
  const state: FakeTranscribe = { client, started: [], audioSeen: [], polls: 0, deleted: [] };
  const jobs = new Map<string, { input: StartTranscriptionJobCommandInput; polls: number }>();
  mock.on(StartTranscriptionJobCommand).callsFake(async (input: StartTranscriptionJobCommandInput) => {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(input.Media!.MediaFileUri!)!;
    const audio = await s3.send(new GetObjectCommand({ Bucket: m[1], Key: m[2] }));
    state.audioSeen.push(Buffer.from(await audio.Body!.transformToByteArray()));
    state.started.push(input);
    jobs.set(input.TranscriptionJobName!, { input, polls: 0 });
    return { TranscriptionJob: { TranscriptionJobName: input.TranscriptionJobName, TranscriptionJobStatus: 'IN_PROGRESS', LanguageCode: input.LanguageCode } };
  });
  mock.on(GetTranscriptionJobCommand).callsFake(async ({ TranscriptionJobName }: { TranscriptionJobName: string }) => {
    state.polls++;
    const job = jobs.get(TranscriptionJobName);
    if (!job) throw Object.assign(new Error("The requested job couldn't be found."), { name: 'NotFoundException', $metadata: { httpStatusCode: 400 } });
    const base = { TranscriptionJobName, LanguageCode: job.input.LanguageCode, MediaFormat: job.input.MediaFormat, Media: job.input.Media };
    if (job.polls++ < (o.pendingPolls ?? 2)) return { TranscriptionJob: { ...base, TranscriptionJobStatus: 'IN_PROGRESS' } };
    if (o.failureReason) return { TranscriptionJob: { ...base, TranscriptionJobStatus: 'FAILED', FailureReason: o.failureReason } };
    const words = o.transcript.replace(/[?.!,]/g, '').split(/\s+/).filter(Boolean);
    const items = [
      ...words.map((w, i) => ({
        id: i,
        type: 'pronunciation',
        start_time: (i * 0.3).toFixed(2),
        end_time: (i * 0.3 + 0.25).toFixed(2),
        alternatives: [{ confidence: String(o.confidences?.[i] ?? 0.9), content: w }],
      })),
      { id: words.length, type: 'punctuation', alternatives: [{ confidence: '0.0', content: '?' }] },
    ];
    const output = { jobName: TranscriptionJobName, accountId: '123456789012', status: 'COMPLETED', results: { transcripts: [{ transcript: o.transcript }], items } };
    await s3.send(new PutObjectCommand({ Bucket: job.input.OutputBucketName, Key: job.input.OutputKey, Body: JSON.stringify(output), ContentType: 'application/json' }));
    return {
      TranscriptionJob: {
        ...base,
        TranscriptionJobStatus: 'COMPLETED',
        Transcript: { TranscriptFileUri: `https://s3.us-east-1.amazonaws.com/${job.input.OutputBucketName}/${job.input.OutputKey}` },
      },
    };
  });
  mock.on(DeleteTranscriptionJobCommand).callsFake(async ({ TranscriptionJobName }: { TranscriptionJobName: string }) => {
    state.deleted.push(TranscriptionJobName);
    return {};
  });
  return state;
}
