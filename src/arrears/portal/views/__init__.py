"""The borrower portal's pages: signing in (``sign_in``) and the signed-in borrower's
pages (``borrower``); ``common`` holds the session wrapper and the notice page."""
