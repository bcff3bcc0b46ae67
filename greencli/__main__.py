from greencli.cli.app import main

raise SystemExit(main())
