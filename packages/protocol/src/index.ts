// Public entry of @runnel/protocol.
export {};
