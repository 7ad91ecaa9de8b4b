// Public entry of @runnel/rpc.
export {};
