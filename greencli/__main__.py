from greencli.cli import main

raise SystemExit(main())
