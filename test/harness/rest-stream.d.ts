export interface StreamedProduce {
    status: number;
    /** Reports in the order they arrived. */
    reports: Record<string, unknown>[];
}
/**
 * POSTs `records` (each a JSON text) to `url` in chunks of about `chunkBytes`; resolves with every report once
 * the answer ends. `onReport` sees each report as it arrives (reports are kept unless `keep` is false).
 */
export declare function streamProduce(url: string, records: Iterable<string>, options?: {
    chunkBytes?: number;
    keep?: boolean;
    onReport?: (report: Record<string, unknown>) => void;
}): Promise<StreamedProduce>;
