"""Court papers drafted from a loan: 支付令申请书, 民事起诉状 (the SPC element form for a
金融借款合同纠纷), 证据清单, 财产保全申请书, 强制执行申请书 and 律师函, each as a Word file a
lawyer edits (docxtpl) and as a PDF (WeasyPrint).

``context`` gathers the variables (parties in full, the loan's terms, the claim),
``rendering`` fills the templates, ``forms`` and ``layout`` describe the papers and
``make_templates`` writes the templates from them. Storing and auditing a generated paper is
``legal.document_services.legal_document_generate``.
"""
