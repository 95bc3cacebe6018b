pub fn import_chunk(
    _i: &super::pipeline::Ingest,
    _c: portico_protocol::CdrImportChunk,
) -> portico_protocol::AdminResult<portico_protocol::ImportReport> {
    Err(portico_protocol::AdminError::internal("stub"))
}
