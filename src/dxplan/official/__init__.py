"""The official periodic report: a document model built from the evaluation, written as
DOCX (Decree 30/2020/ND-CP, model 1.4), converted to PDF, with its annex as XLSX."""
