export { Inspector } from './Inspector';
export { PayloadReaderProvider, usePayloadReader, type PayloadReader } from '../../ui/payloadReader';
