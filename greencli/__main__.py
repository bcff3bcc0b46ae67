from greencli.cli.warm_start import main

raise SystemExit(main())
