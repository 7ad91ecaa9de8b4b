/** Bounds shared by several packages. Units are last in the names. */
export const limits = {
  /** Largest Kafka request frame a broker accepts (socket.request.max.bytes). */
  requestBytesMax: 100 * 1024 * 1024,
  /** Default message.max.bytes: the largest record batch accepted. */
  batchBytesMax: 1024 * 1024 + 12,
  /** Kafka's topic name limit. */
  topicNameLengthMax: 249,
} as const;
