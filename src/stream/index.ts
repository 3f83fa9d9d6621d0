export * from './errors';
export * from './publishOrdered';
export * from './encodeEvent';
export * from './decodeKinesisRecord';
export * from './decodeKinesisRecords';
export * from './kinesisStreamRecord';
