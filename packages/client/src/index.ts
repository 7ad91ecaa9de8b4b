// Public entry of @runnel/client.
export {};
